// Package redact is the one redaction function applied to everything the
// project writes (report evidence, logs, stdout, replay files): it masks the
// secret fields the catalogs mark, and any secret value registered at run time
// (the target's SecretKey), wherever it appears.
package redact

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces a secret.
const Mask = "***"

// secretFields are field names whose values are secrets, in any dialect
// (Tencent SecretKey/Password/Token, Alibaba AccessKeySecret/SecurityToken, the
// Authorization header). Catalogs add theirs with Fields.
var (
	mu           sync.RWMutex
	secretFields = map[string]bool{
		"SecretKey": true, "Password": true, "Token": true, "Authorization": true,
		"AccessKeySecret": true, "SecurityToken": true, "X-TC-Token": true,
		"secret_key": true, "password": true, "token": true,
	}
	values  []string
	fieldRe *regexp.Regexp
	// fieldNames are secretFields' names: every alternative of fieldRe
	// contains one of them literally, so a string holding none of them
	// needs no regexp pass (most evidence and log lines: a run redacts
	// thousands, and the pass was a tenth of a Tencent Batch run's CPU).
	fieldNames []string
)

func init() { rebuild() }

// Fields marks more field names as secret (e.g. from a catalog's Secret members).
func Fields(names ...string) {
	mu.Lock()
	for _, n := range names {
		if n != "" {
			secretFields[n] = true
		}
	}
	mu.Unlock()
	rebuild()
}

// Value registers a secret value (e.g. a SecretKey in use) to be masked
// wherever it appears. Values shorter than 4 bytes are ignored (they would
// mask ordinary text).
func Value(v string) {
	if len(v) < 4 {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	for _, x := range values {
		if x == v {
			return
		}
	}
	values = append(values, v)
	// Longest first, so a value containing another is masked whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
}

func rebuild() {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(secretFields))
	fieldNames = fieldNames[:0:0]
	for n := range secretFields {
		names = append(names, regexp.QuoteMeta(n))
		fieldNames = append(fieldNames, n)
	}
	sort.Strings(names)
	alt := strings.Join(names, "|")
	// JSON "Field":"value", form/query Field=value (flattened keys end in the
	// field name), and header lines "Field: value".
	fieldRe = regexp.MustCompile(`(\\"(?:` + alt + `)\\"\s*:\s*)\\"(?:[^"\\]|\\[^"])*\\"` +
		`|("(?:` + alt + `)"\s*:\s*)"(?:[^"\\]|\\.)*"` +
		`|((?:^|[?&\s])(?:[\w.]*\.)?(?:` + alt + `)=)[^&\s"]*` +
		`|((?i:^|\n)(?:` + alt + `):[ \t]*)[^\r\n]*`)
}

// String masks every secret field value and registered secret in s.
func String(s string) string {
	mu.RLock()
	re, vals, names := fieldRe, values, fieldNames
	mu.RUnlock()
	if containsAny(s, names) {
		s = maskFields(re, s)
	}
	for _, v := range vals {
		s = strings.ReplaceAll(s, v, Mask)
	}
	return s
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// maskFields masks the values of the secret fields fieldRe finds in s.
func maskFields(re *regexp.Regexp, s string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		for _, prefix := range sub[1:] {
			if prefix != "" {
				rest := m[len(prefix):]
				if strings.HasPrefix(rest, `\"`) {
					return prefix + `\"` + Mask + `\"`
				}
				if strings.HasPrefix(rest, `"`) {
					return prefix + `"` + Mask + `"`
				}
				return prefix + Mask
			}
		}
		return Mask
	})
}

// Bytes is String for byte slices.
func Bytes(b []byte) []byte { return []byte(String(string(b))) }
