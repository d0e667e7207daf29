package api3

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// TC3Algorithm is the TC3 signature algorithm name.
const TC3Algorithm = "TC3-HMAC-SHA256"

// unsignedPayload is the X-TC-Content-SHA256 value that excludes the body.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// TC3Auth is a parsed TC3 Authorization header:
//
//	TC3-HMAC-SHA256 Credential=<SecretId>/<Date>/<service>/tc3_request, SignedHeaders=content-type;host, Signature=<hex>
type TC3Auth struct {
	SecretID      string
	Date          string // YYYY-MM-DD
	Service       string
	SignedHeaders []string // lower-case header names, as listed
	Signature     string   // lower-case hex
}

var errAuth = errors.New("malformed TC3 Authorization header")

// ParseTC3Authorization parses a TC3 Authorization header. It is strict about
// the parts the protocol defines (algorithm, a four-part credential scope ending
// in tc3_request, signed headers including content-type and host, a 64-digit
// hex signature) and tolerant of spaces around the separators.
func ParseTC3Authorization(h string) (TC3Auth, error) {
	var a TC3Auth
	rest, ok := strings.CutPrefix(h, TC3Algorithm+" ")
	if !ok {
		return a, errAuth
	}
	var haveCred, haveSH, haveSig bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, errAuth
		}
		switch k {
		case "Credential":
			if haveCred {
				return a, errAuth
			}
			haveCred = true
			id, r1, ok1 := strings.Cut(v, "/")
			date, r2, ok2 := strings.Cut(r1, "/")
			svc, term, ok3 := strings.Cut(r2, "/")
			if !ok1 || !ok2 || !ok3 || term != "tc3_request" || id == "" || svc == "" || !validDate(date) {
				return a, errAuth
			}
			a.SecretID, a.Date, a.Service = id, date, svc
		case "SignedHeaders":
			if haveSH {
				return a, errAuth
			}
			haveSH = true
			a.SignedHeaders = strings.Split(v, ";")
			var ct, host bool
			for i, n := range a.SignedHeaders {
				if n == "" || n != strings.ToLower(n) || (i > 0 && a.SignedHeaders[i-1] >= n) {
					return a, errAuth // names are lower case, sorted, distinct
				}
				ct = ct || n == "content-type"
				host = host || n == "host"
			}
			if !ct || !host {
				return a, errAuth
			}
		case "Signature":
			if haveSig {
				return a, errAuth
			}
			haveSig = true
			if len(v) != 64 || !isLowerHex(v) {
				return a, errAuth
			}
			a.Signature = v
		default:
			return a, errAuth
		}
	}
	if !haveCred || !haveSH || !haveSig {
		return a, errAuth
	}
	return a, nil
}

func validDate(d string) bool {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return false
	}
	for i := 0; i < 10; i++ {
		if i != 4 && i != 7 && (d[i] < '0' || d[i] > '9') {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// TC3Input is what a TC3 signature covers.
type TC3Input struct {
	Method    string
	Path      string // "/" for API 3.0
	Query     string // raw query as received (GET); "" for POST
	Header    func(name string) string
	Host      string // the Host header, port included
	Payload   []byte
	Unsigned  bool   // X-TC-Content-SHA256: UNSIGNED-PAYLOAD
	Timestamp string // X-TC-Timestamp as sent
}

// TC3Signature computes the lower-case hex TC3 signature over in for the
// given scope (reference §5.4). Header values are lower-cased and trimmed as
// the documentation's canonical-headers rule says.
func TC3Signature(secretKey, date, service string, signed []string, in TC3Input) string {
	return tc3Sign(TC3SigningKey(secretKey, date, service), signed, in, date, service)
}

// TC3SigningKey derives the TC3 signing key of a scope (reference §5.4 step 3).
func TC3SigningKey(secretKey, date, service string) []byte {
	k := hmacSum(sha256.New, []byte("TC3"+secretKey), []byte(date))
	k = hmacSum(sha256.New, k, []byte(service))
	return hmacSum(sha256.New, k, []byte("tc3_request"))
}

func tc3Sign(key []byte, signed []string, in TC3Input, date, service string) string {
	sum := tc3Sum(key, signed, in, date, service)
	return hex.EncodeToString(sum[:])
}

// signBufs holds the canonical request and string to sign of one
// verification: reused, so verifying allocates nothing.
var signBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// tc3Sum is the TC3 signature over in as bytes (tc3Sign hex-encodes it).
func tc3Sum(key []byte, signed []string, in TC3Input, date, service string) [32]byte {
	bp := signBufs.Get().(*[]byte)
	buf := TC3CanonicalRequest((*bp)[:0], signed, in)
	creq := sha256.Sum256(buf)

	// The string to sign follows hmacBlock bytes left for the inner pad.
	sts := append(buf[:0], make([]byte, hmacBlock)...)
	sts = append(sts, TC3Algorithm+"\n"...)
	sts = append(sts, in.Timestamp...)
	sts = append(sts, '\n')
	sts = append(sts, date...)
	sts = append(sts, '/')
	sts = append(sts, service...)
	sts = append(sts, "/tc3_request\n"...)
	sts = hex.AppendEncode(sts, creq[:])
	sum := hmacSHA256Padded(key, sts)
	*bp = sts[:0]
	signBufs.Put(bp)
	return sum
}

// hmacBlock is SHA-256's block size, the HMAC pad length.
const hmacBlock = 64

// hmacSHA256Padded is HMAC-SHA256(key, msg[hmacBlock:]) (RFC 2104) computed
// with sha256.Sum256 alone: crypto/hmac allocates two hash states and the pads
// on every call (half of a verification's allocations). The first hmacBlock
// bytes of msg are overwritten with the inner pad. TestHMACSHA256Padded holds
// it to crypto/hmac.
func hmacSHA256Padded(key, msg []byte) [32]byte {
	if len(key) > hmacBlock {
		k := sha256.Sum256(key)
		key = k[:]
	}
	var outer [hmacBlock + sha256.Size]byte
	for i := range hmacBlock {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		msg[i] = k ^ 0x36
		outer[i] = k ^ 0x5c
	}
	inner := sha256.Sum256(msg)
	copy(outer[hmacBlock:], inner[:])
	return sha256.Sum256(outer[:])
}

// sumMatches reports whether sig (lower-case hex, as ParseTC3Authorization
// requires) is the hex of sum, in time independent of where they differ.
func sumMatches(sum [32]byte, sig string) bool {
	if len(sig) != 2*len(sum) {
		return false
	}
	const hx = "0123456789abcdef"
	var d byte
	for i, b := range sum {
		d |= hx[b>>4] ^ sig[2*i]
		d |= hx[b&0xf] ^ sig[2*i+1]
	}
	return d == 0
}

// keyCache memoises derived TC3 signing keys per (SecretId, date, service):
// three of the four HMACs of a verification. An entry remembers the secret key
// it was derived from, so a tenant whose key changes is never served a stale
// one; the cache is dropped whole when it grows past keyCacheMax.
type keyCache struct {
	mu sync.RWMutex
	m  map[keyScope]cachedKey
}

// keyScope is a cache key (a struct: looking it up allocates nothing).
type keyScope struct{ secretID, date, service string }

type cachedKey struct {
	secret string
	key    []byte
}

const keyCacheMax = 4096

func (c *keyCache) get(secretID, secret, date, service string) []byte {
	ck := keyScope{secretID, date, service}
	c.mu.RLock()
	e, ok := c.m[ck]
	c.mu.RUnlock()
	if ok && e.secret == secret {
		return e.key
	}
	k := TC3SigningKey(secret, date, service)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= keyCacheMax {
		c.m = map[keyScope]cachedKey{}
	}
	c.m[ck] = cachedKey{secret: secret, key: k}
	c.mu.Unlock()
	return k
}

// TC3CanonicalRequest appends the canonical request of in to buf (reference
// §5.4 step 1).
func TC3CanonicalRequest(buf []byte, signed []string, in TC3Input) []byte {
	var ph [32]byte
	if in.Unsigned {
		ph = sha256.Sum256([]byte(unsignedPayload))
	} else {
		ph = sha256.Sum256(in.Payload)
	}
	buf = append(buf, in.Method...)
	buf = append(buf, '\n')
	if in.Path == "" {
		buf = append(buf, '/')
	} else {
		buf = append(buf, in.Path...)
	}
	buf = append(buf, '\n')
	buf = append(buf, in.Query...)
	buf = append(buf, '\n')
	for _, n := range signed {
		var v string
		if n == "host" {
			v = in.Host
		} else if in.Header != nil {
			v = in.Header(n)
		}
		buf = append(buf, n...)
		buf = append(buf, ':')
		buf = appendLowerTrim(buf, v)
		buf = append(buf, '\n')
	}
	buf = append(buf, '\n')
	for i, n := range signed {
		if i > 0 {
			buf = append(buf, ';')
		}
		buf = append(buf, n...)
	}
	buf = append(buf, '\n')
	return hex.AppendEncode(buf, ph[:])
}

func appendLowerTrim(b []byte, s string) []byte {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func hmacSum(h func() hash.Hash, key, msg []byte) []byte {
	m := hmac.New(h, key)
	m.Write(msg)
	return m.Sum(nil)
}

// V1StringToSign builds METHOD + Host + Path + "?" + the parameters other than
// Signature, decoded, sorted by key and joined as k=v with "&" (reference §5.5).
// A key sent several times contributes its first value.
func V1StringToSign(method, host, path string, params url.Values) string {
	keys := make([]string, 0, len(params))
	n := len(method) + len(host) + len(path) + 1
	for k, v := range params {
		if k == "Signature" {
			continue
		}
		keys = append(keys, k)
		n += len(k) + 2
		if len(v) > 0 {
			n += len(v[0])
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteString(method)
	b.WriteString(host)
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	b.WriteByte('?')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		if v := params[k]; len(v) > 0 {
			b.WriteString(v[0])
		}
	}
	return b.String()
}

// V1Signature is Base64(HMAC-SHAx(secretKey, stringToSign)): SHA-256 when
// method is exactly "HmacSHA256", SHA-1 otherwise (as documented).
func V1Signature(secretKey, method, stringToSign string) string {
	h := sha1.New
	if method == "HmacSHA256" {
		h = sha256.New
	}
	return base64.StdEncoding.EncodeToString(hmacSum(h, []byte(secretKey), []byte(stringToSign)))
}

// equalStrings compares two signatures in constant time.
func equalStrings(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
