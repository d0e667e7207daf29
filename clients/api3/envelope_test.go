package api3

import "testing"

func TestParseEnvelope(t *testing.T) {
	for _, c := range []struct {
		body        string
		code, reqID string
		malformed   bool
	}{
		{`{"Response":{"RequestId":"r1","JobId":"job-1"}}`, "", "r1", false},
		{`{"Response":{"RequestId":"r2","Error":{"Code":"InvalidParameter","Message":"m"}}}`, "InvalidParameter", "r2", false},
		{`{"Response":{"Error":{"Code":"X","Message":"m"}}}`, "X", "", true},
		{`{"Response":{"RequestId":null}}`, "", "", true},
		{`{"Response":{"RequestId":"r3","Error":{"Message":"no code"}}}`, "", "r3", true},
		{`{"Other":{}}`, "", "", true},
		{`not json`, "", "", true},
	} {
		e := ParseEnvelope(200, nil, []byte(c.body))
		if e.Code() != c.code || e.RequestID != c.reqID || (e.DecodeErr != nil) != c.malformed {
			t.Errorf("%s: code %q requestID %q decodeErr %v", c.body, e.Code(), e.RequestID, e.DecodeErr)
		}
	}
}
