package api3

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/batchconform/batchconform/fixtures"
)

// parseJSON decodes one JSON value into the params shape (map[string]any,
// []any, json.Number, string, bool, nil). It is a small recursive-descent
// parser that replaces encoding/json on the hot path: one pass, no reflection,
// a nesting limit, and the same result as json.Decoder with UseNumber (a
// differential fuzz target holds it to that). Input must be valid UTF-8 (the
// caller checks); a duplicate key keeps its last value, as encoding/json does.
func parseJSON(b []byte, maxDepth int) (any, error) {
	v, _, err := parseJSONDup(b, maxDepth)
	return v, err
}

// parseJSONDup is parseJSON that also reports whether some object had a
// key twice (Request.Decode then leaves the body to encoding/json). The
// strings it returns share one copy of b, so b may change afterwards.
func parseJSONDup(b []byte, maxDepth int) (any, bool, error) {
	return parseJSONSrc(b, string(b), maxDepth, nil)
}

// parseOwnedJSONDup is parseJSONDup for a body nobody writes to again (the
// handler's request body, kept as Request.Body): the strings it returns are
// substrings of b itself, so unescaped strings and numbers cost no
// allocation, and the parameters a job keeps pin only the body it already
// keeps.
// Its objects' maps come from arena (if not nil), for the caller to
// release once nothing refers to them.
func parseOwnedJSONDup(b []byte, maxDepth int, arena *mapArena) (any, bool, error) {
	return parseJSONSrc(b, unsafe.String(unsafe.SliceData(b), len(b)), maxDepth, arena)
}

// parseJSONSrc parses b, whose bytes src holds as a string.
func parseJSONSrc(b []byte, src string, maxDepth int, arena *mapArena) (any, bool, error) {
	p := jsonParser{b: b, src: src, max: maxDepth, arena: arena}
	if n := knownNames.Load(); n != nil {
		p.names = *n
	}
	if arena != nil {
		// The arrays' stack is kept with the arena, emptied (an error
		// leaves elements on it), unless a huge array grew it.
		p.stack = arena.stack[:0]
		defer func() {
			clear(p.stack)
			if cap(p.stack) > arenaStackMax {
				p.stack = nil
			}
			arena.stack = p.stack[:0]
		}()
	}
	p.ws()
	v, err := p.value()
	if err != nil {
		return nil, false, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, false, p.errf("data after the JSON value")
	}
	return v, p.dup, nil
}

type jsonParser struct {
	b     []byte
	src   string // b's bytes as a string: strings without escapes are cut from it
	i     int
	depth int
	max   int
	dup   bool // some object had a key twice
	// names are the known member names and enum values (knownNames), each
	// boxed once: shared instead of allocating a string for each key and
	// value that is one.
	names map[string]any
	arena *mapArena // where objects' maps come from (nil: made fresh)
	// stack holds the elements of the arrays being parsed (nested ones
	// above their parent's), so each array is made once at its length
	// instead of grown by append.
	stack []any
}

// mapArena lends the maps of one request's parameters and takes them back
// when the request is answered (handler.ServeHTTP): building a dozen small
// maps per request was the parse's largest cost (allocating them, clearing
// their fresh memory, and the GC after). Nothing may keep a map of the
// parameters past the request: handlers read them through Request.Decode,
// which copies maps and lists.
type mapArena struct {
	free, used []map[string]any
	stack      []any // jsonParser.stack, kept empty
}

// Arena limits: a map that grew past one group (8 entries) is left to the
// GC rather than kept large, and an arena keeps at most arenaMaps maps.
const (
	arenaMapMax   = 8
	arenaMaps     = 64
	arenaStackMax = 1024
)

var arenas = sync.Pool{New: func() any { return new(mapArena) }}

func (a *mapArena) get() map[string]any {
	var m map[string]any
	if n := len(a.free); n > 0 {
		m = a.free[n-1]
		a.free[n-1] = nil
		a.free = a.free[:n-1]
	} else {
		m = make(map[string]any, arenaMapMax)
	}
	a.used = append(a.used, m)
	return m
}

// release empties the maps lent and returns the arena to the pool.
func (a *mapArena) release() {
	for i, m := range a.used {
		if len(m) <= arenaMapMax && len(a.free) < arenaMaps {
			clear(m)
			a.free = append(a.free, m)
		}
		a.used[i] = nil
	}
	a.used = a.used[:0]
	arenas.Put(a)
}

// knownNames holds the member names and enumerated values of every catalog
// a handler serves: the keys and many values of nearly every request. Copy
// on write (rare: a handler is made), read without a lock.
var (
	knownNames   atomic.Pointer[map[string]any]
	knownNamesMu sync.Mutex
)

// addKnownNames adds the member names and enum values of cat to knownNames.
func addKnownNames(cat *fixtures.Catalog) {
	knownNamesMu.Lock()
	defer knownNamesMu.Unlock()
	next := map[string]any{}
	if cur := knownNames.Load(); cur != nil {
		for k, v := range *cur {
			next[k] = v
		}
	}
	add := func(s string) {
		if _, ok := next[s]; !ok {
			next[s] = s
		}
	}
	for _, o := range cat.Objects {
		if o == nil {
			continue
		}
		for _, m := range o.Members {
			add(m.Name)
			for _, e := range m.Enum {
				add(e)
			}
		}
	}
	knownNames.Store(&next)
}

// smallNumbers are the JSON numbers 0-99 boxed once (priorities, counts,
// limits: most numbers in a request).
var smallNumbers = func() (a [100]any) {
	for i := range a {
		a[i] = json.Number(strconv.Itoa(i))
	}
	return a
}()

func (p *jsonParser) errf(format string, args ...any) error {
	return fmt.Errorf("%w: the request body is not valid JSON: %s at offset %d", errDecode, fmt.Sprintf(format, args...), p.i)
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	if p.i >= len(p.b) {
		return nil, p.errf("unexpected end of input")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.strValue()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.lit("true")
	case c == 'f':
		return false, p.lit("false")
	case c == 'n':
		return nil, p.lit("null")
	}
	return nil, p.errf("invalid character %q", p.b[p.i])
}

func (p *jsonParser) lit(s string) error {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return p.errf("invalid literal")
	}
	p.i += len(s)
	return nil
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > p.max {
		return fmt.Errorf("%w: the request body is nested deeper than %d levels", errDecode, p.max)
	}
	return nil
}

func (p *jsonParser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // {
	var m map[string]any
	if p.arena != nil {
		m = p.arena.get()
	} else {
		m = map[string]any{}
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.depth--
		return m, nil
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.errf("expected a string key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.errf("expected ':'")
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n := len(m)
		m[k] = v
		if len(m) == n {
			p.dup = true
		}
		p.ws()
		if p.i >= len(p.b) {
			return nil, p.errf("unexpected end of input")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return m, nil
		default:
			return nil, p.errf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // [
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		p.depth--
		return []any{}, nil
	}
	mark := len(p.stack)
	for {
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
		p.ws()
		if p.i >= len(p.b) {
			return nil, p.errf("unexpected end of input")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			l := make([]any, len(p.stack)-mark)
			copy(l, p.stack[mark:])
			clear(p.stack[mark:])
			p.stack = p.stack[:mark]
			return l, nil
		default:
			return nil, p.errf("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.i
	b := p.b
	if p.i < len(b) && b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(b) && b[p.i] == '0':
		p.i++
	case p.i < len(b) && b[p.i] >= '1' && b[p.i] <= '9':
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
	default:
		return nil, p.errf("invalid number")
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		d := p.i
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
		if p.i == d {
			return nil, p.errf("invalid number")
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		d := p.i
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
		if p.i == d {
			return nil, p.errf("invalid number")
		}
	}
	switch num := b[start:p.i]; {
	case len(num) == 1 && isDigit(num[0]):
		return smallNumbers[num[0]-'0'], nil
	case len(num) == 2 && num[0] != '0' && isDigit(num[0]) && isDigit(num[1]):
		return smallNumbers[(num[0]-'0')*10+num[1]-'0'], nil
	}
	return json.Number(p.src[start:p.i]), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// strValue parses a string value at p.i: a known one (a member name or an
// enum value) is shared, already boxed, so a value a job keeps does not pin
// the body.
func (p *jsonParser) strValue() (any, error) {
	s, err := p.str()
	if err != nil {
		return nil, err
	}
	if n, ok := p.names[s]; ok {
		return n, nil
	}
	return s, nil
}

// str parses a string at p.i (which holds '"'), cut from the body when it
// has no escape. A key is not looked up in the known names (strValue's one
// lookup was a key's two): it is cut from the body or src's copy of it
// either way, so sharing the known one saved no allocation, and the names'
// map is large, so each lookup hashed the key.
func (p *jsonParser) str() (string, error) {
	p.i++
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			p.i++
			return p.src[start : p.i-1], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errf("control character in string")
		}
		p.i++
	}
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.errf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			break
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A valid pair combines; anything else is U+FFFD, as in
				// encoding/json.
				save := p.i
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					p.i += 2
					if r2, ok := p.hex4(); ok {
						if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
							buf = utf8.AppendRune(buf, c)
							continue
						}
					}
				}
				p.i = save
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.errf("invalid escape")
		}
	}
	return "", p.errf("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := p.b[p.i+k]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	p.i += 4
	return r, true
}
