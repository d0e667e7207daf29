package acs

import (
	"net/http"
	"testing"

	clientacs "github.com/batchconform/batchconform/clients/acs"
)

// Vectors produced by the aliyun-sdk 1.12.10 JS signer
// (lib/signers/batchcompute.js) with secret batchconformSecretKeyEXAMPLE:
// the official client's reading is the reference both signers must match.
var jsVectors = []struct {
	name, method, path, query string
	headers                   map[string]string
	sts, sig                  string
}{
	{"list with empty Marker and x-acs-date", "GET", "/jobs", "MaxItemCount=2&Marker=",
		map[string]string{"Accept": "application/json", "x-acs-date": "Thu, 03 Dec 2026 18:40:00 GMT", "x-acs-version": "2015-11-11",
			"x-acs-signature-method": "HMAC-SHA1", "x-acs-signature-version": "1.0"},
		"GET\napplication/json\n\n\nThu, 03 Dec 2026 18:40:00 GMT\nx-acs-date:Thu, 03 Dec 2026 18:40:00 GMT\nx-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\nx-acs-version:2015-11-11\n/jobs?Marker&MaxItemCount=2",
		"CpvYQouVvIp5d6wtM0VYIDkqqzA="},
	{"POST with text/plain", "POST", "/jobs", "",
		map[string]string{"Accept": "application/json", "x-acs-date": "Thu, 03 Dec 2026 18:40:00 GMT", "x-acs-version": "2015-11-11",
			"x-acs-signature-method": "HMAC-SHA1", "x-acs-signature-version": "1.0", "Content-Type": "text/plain;charset=UTF-8"},
		"POST\napplication/json\n\ntext/plain;charset=UTF-8\nThu, 03 Dec 2026 18:40:00 GMT\nx-acs-date:Thu, 03 Dec 2026 18:40:00 GMT\nx-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\nx-acs-version:2015-11-11\n/jobs",
		"Rl0dDbeAD/lTwwg/5fHlzJaeCFw="},
	{"sub-resource with Date and no x-acs headers", "GET", "/jobs/job-1", "description",
		map[string]string{"Accept": "application/json", "Date": "Thu, 03 Dec 2026 18:40:00 GMT"},
		"GET\napplication/json\n\n\nThu, 03 Dec 2026 18:40:00 GMT\n/jobs/job-1?description",
		"rO0cLOK9FPV1aA+rN09OhAE8Ij4="},
}

func TestSignMatchesJSSDK(t *testing.T) {
	const secret = "batchconformSecretKeyEXAMPLE"
	for _, v := range jsVectors {
		t.Run(v.name, func(t *testing.T) {
			h := http.Header{}
			for k, x := range v.headers {
				h.Set(k, x)
			}
			sts := StringToSign(v.method, h, CanonicalizedResource(v.path, v.query, true))
			if sts != v.sts {
				t.Fatalf("emulator StringToSign:\n%q\nwant\n%q", sts, v.sts)
			}
			if got := Sign(secret, sts); got != v.sig {
				t.Fatalf("emulator signature %s, want %s", got, v.sig)
			}
			if got := clientacs.StringToSign(v.method, h, v.path, v.query); got != v.sts {
				t.Fatalf("client StringToSign:\n%q\nwant\n%q", got, v.sts)
			}
			if !Verify(secret, v.sig, v.method, v.path, v.query, h) {
				t.Fatal("Verify refused the JS SDK's signature")
			}
			if Verify(secret+"x", v.sig, v.method, v.path, v.query, h) {
				t.Fatal("Verify accepted the signature under another secret")
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	for _, c := range []struct {
		in      string
		id, sig string
		ok      bool
	}{
		{"acs AK:sig=", "AK", "sig=", true},
		{"ACS AK:sig", "AK", "sig", true},
		{"acs  AK:sig ", "AK", "sig", true},
		{"acs AK:", "", "", false},
		{"acs :sig", "", "", false},
		{"acs AKsig", "", "", false},
		{"acs", "", "", false},
		{"acsAK:sig", "", "", false},
		{"TC3-HMAC-SHA256 Credential=x", "", "", false},
		{"acs A K:sig", "", "", false},
		{"acs AK:s ig", "", "", false},
	} {
		id, sig, ok := ParseAuthorization(c.in)
		if ok != c.ok || id != c.id || sig != c.sig {
			t.Errorf("ParseAuthorization(%q) = %q, %q, %v; want %q, %q, %v", c.in, id, sig, ok, c.id, c.sig, c.ok)
		}
	}
}

func TestCanonicalizedResourceReadings(t *testing.T) {
	// The JS SDK decodes before signing; the Python SDK signs as sent.
	if got := CanonicalizedResource("/jobs/a%20b", "Name=x%2Fy&A=", true); got != "/jobs/a b?A&Name=x/y" {
		t.Errorf("decoded: %q", got)
	}
	if got := CanonicalizedResource("/jobs/a%20b", "Name=x%2Fy&A=", false); got != "/jobs/a%20b?A&Name=x%2Fy" {
		t.Errorf("raw: %q", got)
	}
	if got := CanonicalizedResource("", "", true); got != "/" {
		t.Errorf("empty: %q", got)
	}
}
