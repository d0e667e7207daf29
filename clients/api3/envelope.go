package api3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Envelope is an API 3.0 response: {"Response":{...,"RequestId":...}} with
// an optional Response.Error. The suite's harness, the fuzzer and tools parse
// answers with ParseEnvelope.
type Envelope struct {
	Status   int
	Header   http.Header
	Body     []byte
	Response map[string]json.RawMessage
	Error    *struct{ Code, Message string }
	// RequestID is Response.RequestId.
	RequestID string
	// DecodeErr is set when the body is not a well-formed envelope.
	DecodeErr error
}

// Code is the error code, or "".
func (e *Envelope) Code() string {
	if e.Error == nil {
		return ""
	}
	return e.Error.Code
}

// ParseEnvelope parses an API 3.0 envelope; a malformed one is reported in
// DecodeErr (numbers stay json.Number), never as a panic.
func ParseEnvelope(status int, h http.Header, body []byte) *Envelope {
	e := &Envelope{Status: status, Header: h, Body: body}
	var outer struct {
		Response map[string]json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&outer); err != nil {
		e.DecodeErr = fmt.Errorf("body is not JSON: %w", err)
		return e
	}
	if outer.Response == nil {
		e.DecodeErr = errors.New(`body has no "Response" object`)
		return e
	}
	e.Response = outer.Response
	if raw, ok := outer.Response["RequestId"]; ok {
		if err := json.Unmarshal(raw, &e.RequestID); err != nil || e.RequestID == "" {
			e.DecodeErr = fmt.Errorf("RequestId is not a non-empty string: %s", raw)
		}
	} else {
		e.DecodeErr = errors.New("Response has no RequestId")
	}
	if raw, ok := outer.Response["Error"]; ok {
		var er struct{ Code, Message string }
		if err := json.Unmarshal(raw, &er); err != nil || er.Code == "" {
			e.DecodeErr = fmt.Errorf("Response.Error is malformed: %s", raw)
		}
		e.Error = &er
	}
	return e
}
