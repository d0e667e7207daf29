package acs

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Scheme is the Authorization scheme of ACS requests ("acs AccessKeyId:Signature").
const Scheme = "acs"

// IsACS reports whether an Authorization header value uses the ACS scheme; the
// emulator routes by it (design: one address, ACS requests by their scheme).
// The scheme is matched case-insensitively, like HTTP auth schemes.
func IsACS(authorization string) bool {
	s := strings.TrimLeft(authorization, " \t")
	return len(s) > len(Scheme) && strings.EqualFold(s[:len(Scheme)], Scheme) && (s[len(Scheme)] == ' ' || s[len(Scheme)] == '\t')
}

// ParseAuthorization splits "acs AccessKeyId:Signature". ok is false for any
// other shape: another scheme, no colon, an empty id or signature, or
// whitespace inside either part.
func ParseAuthorization(v string) (accessKeyID, signature string, ok bool) {
	if !IsACS(v) {
		return "", "", false
	}
	rest := strings.TrimSpace(strings.TrimLeft(v, " \t")[len(Scheme):])
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return "", "", false
	}
	accessKeyID, signature = rest[:i], rest[i+1:]
	if strings.ContainsAny(accessKeyID, " \t\r\n:") || strings.ContainsAny(signature, " \t\r\n") {
		return "", "", false
	}
	return accessKeyID, signature, true
}

// DateHeader is the value that fills StringToSign's Date slot: x-acs-date when
// present (what the aliyun-sdk JS client sends instead of Date), else Date.
func DateHeader(h http.Header) string {
	if v := h.Get("x-acs-date"); v != "" {
		return v
	}
	return h.Get("Date")
}

// CanonicalizedHeaders is every header whose lower-cased name starts with
// "x-acs-", lower-cased and trimmed, sorted by name, each written as
// "name:value\n" (several values of one header are joined with ","). Empty
// when there are none.
func CanonicalizedHeaders(h http.Header) string {
	type kv struct{ k, v string }
	var hs []kv
	for name, vals := range h {
		ln := strings.ToLower(strings.TrimSpace(name))
		if !strings.HasPrefix(ln, "x-acs-") {
			continue
		}
		hs = append(hs, kv{ln, strings.Join(vals, ",")})
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].k < hs[j].k })
	var b strings.Builder
	for _, x := range hs {
		b.WriteString(x.k)
		b.WriteByte(':')
		b.WriteString(x.v)
		b.WriteByte('\n')
	}
	return b.String()
}

// CanonicalizedResource is the path, then "?" and the query parameters sorted
// by name and joined with "&"; a parameter with an empty or absent value is
// written as its bare name ("?description", "?Marker&MaxItemCount=50").
//
// decoded selects the aliyun-sdk JS reading (path and values percent-decoded
// before signing); otherwise the path and the parameters are used as they
// were sent (the Python SDK signs the encoded URL). For values that need no
// escaping both readings are the same string.
func CanonicalizedResource(rawPath, rawQuery string, decoded bool) string {
	path := rawPath
	if path == "" {
		path = "/"
	}
	if decoded {
		if p, err := url.PathUnescape(path); err == nil {
			path = p
		}
	}
	if rawQuery == "" {
		return path
	}
	type kv struct{ k, v string }
	var ps []kv
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if decoded {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
		}
		ps = append(ps, kv{k, v})
	}
	if len(ps) == 0 {
		return path
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].k < ps[j].k })
	var b strings.Builder
	b.WriteString(path)
	b.WriteByte('?')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		if p.v != "" {
			b.WriteByte('=')
			b.WriteString(p.v)
		}
	}
	return b.String()
}

// StringToSign is VERB "\n" Accept "\n" Content-MD5 "\n" Content-Type "\n"
// Date "\n" CanonicalizedHeaders CanonicalizedResource (reference §A.2). A
// missing header contributes "" but its "\n" is still written.
func StringToSign(method string, h http.Header, resource string) string {
	return method + "\n" + h.Get("Accept") + "\n" + h.Get("Content-MD5") + "\n" + h.Get("Content-Type") + "\n" +
		DateHeader(h) + "\n" + CanonicalizedHeaders(h) + resource
}

// Sign is base64(HMAC-SHA1(AccessKeySecret, StringToSign)). The English doc's
// `AccessKeySecret + "\n"` key is a typo (reference §A.8.7): both SDKs use the
// bare secret.
func Sign(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature signs the request under secret, in either
// reading of the canonicalized resource (decoded as the JS SDK does, or as
// sent as the Python SDK does).
func Verify(secret, signature, method, rawPath, rawQuery string, h http.Header) bool {
	want := []byte(signature)
	dec := CanonicalizedResource(rawPath, rawQuery, true)
	if hmac.Equal(want, []byte(Sign(secret, StringToSign(method, h, dec)))) {
		return true
	}
	raw := CanonicalizedResource(rawPath, rawQuery, false)
	return raw != dec && hmac.Equal(want, []byte(Sign(secret, StringToSign(method, h, raw))))
}
