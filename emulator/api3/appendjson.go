package api3

import (
	"strconv"
	"unicode/utf8"
)

// JSONAppender is a response that writes its own JSON: writeResponse uses it
// instead of encoding/json's reflection (the page of a list action was a
// fifth of its server time). AppendJSON must append exactly what
// json.Marshal gives for the same value; each implementation is held to that
// by a test against json.Marshal.
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as json.Marshal writes a string: quoted, with
// <, > and & escaped for HTML, U+2028 and U+2029 escaped, control
// characters as \n, \t, ... or \u00XX, and invalid UTF-8 as \ufffd.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendJSONStringPtr appends *p, or null for nil.
func AppendJSONStringPtr(b []byte, p *string) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return AppendJSONString(b, *p)
}

// AppendJSONInt appends n as json.Marshal writes an integer.
func AppendJSONInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// AppendJSONUint appends n as json.Marshal writes an unsigned integer.
func AppendJSONUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }
