package api3

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	docID  = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
	docKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
)

// TestTC3Vectors checks the two verified TC3 vectors of reference §5.6.
func TestTC3Vectors(t *testing.T) {
	cases := []struct {
		name, host, ct, ts, date, service, body, creqHash, sig string
	}{
		{"doc", "cvm.tencentcloudapi.com", "application/json; charset=utf-8", "1551113065", "2019-02-25", "cvm",
			`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`,
			"5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
			"72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"},
		{"probe", "127.0.0.1:39169", "application/json", "1795333862", "2026-11-22", "batch",
			`{"JobId":"job-xxxxxxxx"}`, "",
			"b4f40be68762c5f5f289e0d6e69149f352bffaf2984fcb60a87d2545bf341991"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hd := http.Header{"Content-Type": {tc.ct}}
			in := TC3Input{Method: "POST", Path: "/", Header: hd.Get, Host: tc.host, Payload: []byte(tc.body), Timestamp: tc.ts}
			signed := []string{"content-type", "host"}
			if tc.creqHash != "" {
				h := sha256.Sum256(TC3CanonicalRequest(nil, signed, in))
				if got := hex.EncodeToString(h[:]); got != tc.creqHash {
					t.Fatalf("canonical request hash %s, want %s", got, tc.creqHash)
				}
			}
			if got := TC3Signature(docKey, tc.date, tc.service, signed, in); got != tc.sig {
				t.Fatalf("signature %s, want %s", got, tc.sig)
			}
		})
	}
}

// TestV1DocVector checks the documented v1 HmacSHA1 vector (reference §5.6)
// through V1StringToSign, from the decoded parameters.
func TestV1DocVector(t *testing.T) {
	q := "Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou" +
		"&SecretId=" + docID + "&Timestamp=1465185768&Version=2017-03-12&Signature=ignored"
	vals, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	sts := V1StringToSign("GET", "cvm.tencentcloudapi.com", "/", vals)
	want := "GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=" + docID + "&Timestamp=1465185768&Version=2017-03-12"
	if sts != want {
		t.Fatalf("string to sign\n%s\nwant\n%s", sts, want)
	}
	if got := V1Signature(docKey, "HmacSHA1", sts); got != "EliP9YW3pW28FpsEdkXt/+WcGeI=" {
		t.Fatalf("signature %s", got)
	}
	if got := V1Signature(docKey, "", sts); got != "EliP9YW3pW28FpsEdkXt/+WcGeI=" {
		t.Fatalf("an absent SignatureMethod means HmacSHA1, got %s", got)
	}
	if V1Signature(docKey, "HmacSHA256", sts) == V1Signature(docKey, "HmacSHA1", sts) {
		t.Fatal("HmacSHA256 must differ from HmacSHA1")
	}
}

func TestParseTC3Authorization(t *testing.T) {
	sig := strings.Repeat("ab", 32)
	good := "TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig
	a, err := ParseTC3Authorization(good)
	if err != nil || a.SecretID != "AKID" || a.Date != "2026-11-22" || a.Service != "batch" || a.Signature != sig || len(a.SignedHeaders) != 2 {
		t.Fatalf("good header: %+v %v", a, err)
	}
	if _, err := ParseTC3Authorization("TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request,SignedHeaders=content-type;host;x-tc-action,Signature=" + sig); err != nil {
		t.Fatalf("extra signed header without spaces: %v", err)
	}
	bad := []string{
		"",
		"TC3-HMAC-SHA256",
		"HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc4_request, SignedHeaders=content-type;host, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=AKID/2026-1-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22//tc3_request, SignedHeaders=content-type;host, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=host, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=host;content-type, Signature=" + sig,
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + strings.ToUpper(sig),
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=abc",
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host",
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig + ", Extra=1",
		"TC3-HMAC-SHA256 Credential=AKID/2026-11-22/batch/tc3_request, Credential=AKID/2026-11-22/batch/tc3_request, SignedHeaders=content-type;host, Signature=" + sig,
	}
	for _, h := range bad {
		if _, err := ParseTC3Authorization(h); err == nil {
			t.Errorf("accepted %q", h)
		}
	}
}

// TestHMACSHA256Padded holds the allocation-free HMAC to crypto/hmac for keys
// shorter than, as long as and longer than the block, and for messages of
// every length around the block.
func TestHMACSHA256Padded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, kl := range []int{0, 1, 31, 32, 63, 64, 65, 130} {
		for ml := 0; ml <= 200; ml += 7 {
			key := make([]byte, kl)
			msg := make([]byte, ml)
			for i := range key {
				key[i] = byte(r.Uint32())
			}
			for i := range msg {
				msg[i] = byte(r.Uint32())
			}
			m := hmac.New(sha256.New, key)
			m.Write(msg)
			want := m.Sum(nil)
			got := hmacSHA256Padded(key, append(make([]byte, hmacBlock), msg...))
			if !bytes.Equal(got[:], want) {
				t.Fatalf("key %d bytes, message %d bytes: %x, crypto/hmac %x", kl, ml, got, want)
			}
		}
	}
}

// TestSumMatches: only the exact lower-case hex of the sum matches.
func TestSumMatches(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	good := hex.EncodeToString(sum[:])
	if !sumMatches(sum, good) {
		t.Fatal("the sum's own hex does not match")
	}
	for _, bad := range []string{"", good[:63], good + "0", strings.ToUpper(good),
		good[:10] + string(good[10]^1) + good[11:], good[:63] + string(good[63]^1)} {
		if sumMatches(sum, bad) {
			t.Errorf("%q matches %q", bad, good)
		}
	}
}

// TestVerificationAllocatesNothing: the signature of a request is checked
// (canonical request, string to sign, HMAC, comparison) without allocating
// once the signing key is cached.
func TestVerificationAllocatesNothing(t *testing.T) {
	var kc keyCache
	in := TC3Input{Method: "POST", Path: "/", Host: "127.0.0.1:9", Timestamp: "1795333862",
		Payload: []byte(`{"JobId":"job-xxxxxxxx"}`),
		Header:  func(n string) string { return map[string]string{"content-type": "application/json"}[n] }}
	signed := []string{"content-type", "host"}
	want := TC3Signature(docKey, "2026-11-22", "batch", signed, in)
	key := kc.get(docID, docKey, "2026-11-22", "batch")
	allocs := testing.AllocsPerRun(50, func() {
		k := kc.get(docID, docKey, "2026-11-22", "batch")
		if !sumMatches(tc3Sum(k, signed, in, "2026-11-22", "batch"), want) {
			t.Fatal("no match")
		}
	})
	if allocs > 0 {
		t.Errorf("%.1f allocations per verification, want 0", allocs)
	}
	if k2 := kc.get(docID, "another key", "2026-11-22", "batch"); bytes.Equal(k2, key) {
		t.Error("a changed secret key was served the cached signing key")
	}
}
