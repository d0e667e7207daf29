package redact

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	Value("s3cr3t-key-value")
	for _, c := range []struct{ in, secret string }{
		{`{"Authentications":[{"Scene":"COS","SecretId":"AKID1","SecretKey":"abc\"def"}]}`, `abc`},
		{`{"LoginSettings":{"Password":"B1[habcd"}}`, `B1[habcd`},
		{`Job.Tasks.0.Authentications.0.SecretKey=xyz123&Action=SubmitJob`, `xyz123`},
		{"POST / HTTP/1.1\nAuthorization: TC3-HMAC-SHA256 Credential=AKID/2026/batch, Signature=deadbeef\nHost: x", `deadbeef`},
		{`the key is s3cr3t-key-value, again s3cr3t-key-value`, `s3cr3t-key-value`},
		{`{"Docker":{"User":"u","Password":"dockerpw"}}`, `dockerpw`},
		{`{"AccessKeySecret":"ak-secret","SecurityToken":"tok"}`, `ak-secret`},
		{`{"request":"{\"Authentications\":[{\"SecretKey\":\"nested-secret\"}]}"}`, `nested-secret`},
	} {
		got := String(c.in)
		if strings.Contains(got, c.secret) {
			t.Errorf("String(%q) = %q still holds %q", c.in, got, c.secret)
		}
		if !strings.Contains(got, Mask) {
			t.Errorf("String(%q) = %q has no mask", c.in, got)
		}
	}
	// Non-secret text survives.
	in := `{"SecretId":"AKID1","JobName":"job"}`
	if got := String(in); got != in {
		t.Errorf("String(%q) = %q, want unchanged", in, got)
	}
}
