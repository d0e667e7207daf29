package api3

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Decoding a request's parameters into a handler's struct from the parsed
// Params instead of parsing the body a second time with encoding/json (the
// second parse was a sixth of a SubmitJob's server time). The fast path
// covers what the handlers' wire structs use (structs with plain json tags,
// strings, bools, numbers, pointers, slices, string-keyed maps, any) and
// gives exactly what json.Unmarshal gives for such a value; anything else
// (a custom unmarshaler, a ",string" option, an embedded struct, a value of
// the wrong JSON type, a key that matches a field only case-insensitively,
// a number out of range) makes Decode fall back to json.Unmarshal of the
// body, so errors and odd inputs are json.Unmarshal's own. It is used only
// when Params were parsed from the JSON body itself with no duplicate key
// (encoding/json merges duplicate objects into a struct; a map keeps the
// last): paramsFromBody.

// errFallback: the fast path does not handle this value.
type errFallback struct{}

func (errFallback) Error() string { return "api3: decode through encoding/json" }

var fallback error = errFallback{}

// decodeParams decodes params into v (a non-nil pointer to a zero value).
func decodeParams(params map[string]any, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !rv.Elem().IsZero() {
		return fallback
	}
	// A fallback half way zeroes v again: untouched, as it came.
	if err := decodeValue(params, rv.Elem()); err != nil {
		rv.Elem().SetZero()
		return err
	}
	return nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberType  = reflect.TypeFor[json.Number]()
)

func decodeValue(x any, v reflect.Value) error {
	t := v.Type()
	// A type with its own unmarshaler sees even null (json.Unmarshal calls
	// it), so it goes to encoding/json whatever the value.
	if t == jsonNumberType || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return fallback
	}
	if x == nil {
		// null leaves a value as it is (zero here), and makes a pointer,
		// slice, map or interface nil (zero too).
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		if err := decodeValue(x, e.Elem()); err != nil {
			return err
		}
		v.Set(e)
		return nil
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return fallback
		}
		fs := fieldsOf(t)
		if fs == nil {
			return fallback
		}
		for k, e := range m {
			i, ok := fs.byName[k]
			if !ok {
				if fs.folds(k) {
					return fallback
				}
				continue // unknown keys are ignored, as by json.Unmarshal
			}
			if err := decodeValue(e, v.FieldByIndex(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return fallback
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return fallback
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return fallback
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return fallback
		}
		v.SetInt(i)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := x.(json.Number)
		if !ok {
			return fallback
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || v.OverflowUint(u) {
			return fallback
		}
		v.SetUint(u)
		return nil
	case reflect.Float32, reflect.Float64:
		n, ok := x.(json.Number)
		if !ok {
			return fallback
		}
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if err != nil || v.OverflowFloat(f) {
			return fallback
		}
		v.SetFloat(f)
		return nil
	case reflect.Slice:
		l, ok := x.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 { // []byte is base64 text
			return fallback
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if err := decodeValue(e, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String || t.Key() != reflect.TypeFor[string]() {
			return fallback
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := decodeValue(e, ev); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
		return nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fallback
		}
		g, err := generic(x)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(g))
		return nil
	}
	return fallback
}

// generic is x as json.Unmarshal gives it into an any: numbers as float64,
// fresh maps and lists (Params are not shared with the handler's value).
func generic(x any) (any, error) {
	switch t := x.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, fallback
		}
		return f, nil
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			g, err := generic(e)
			if err != nil {
				return nil, err
			}
			m[k] = g
		}
		return m, nil
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			g, err := generic(e)
			if err != nil {
				return nil, err
			}
			l[i] = g
		}
		return l, nil
	}
	return x, nil
}

// structFields is a struct type's JSON members as json.Unmarshal sees them.
type structFields struct {
	byName map[string][]int // JSON name -> field index path (promoted fields of embedded structs too)
}

// folds reports whether k names a field case-insensitively, as
// json.Unmarshal matches a key no field has exactly (Unicode case folding:
// bytes.EqualFold, which strings.EqualFold is).
func (fs *structFields) folds(k string) bool {
	for name := range fs.byName {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

var fieldCache sync.Map // reflect.Type -> *structFields (nil entry: unsupported)

// fieldsOf returns t's members, or nil when json.Unmarshal's reading of t is
// beyond the fast path (",string", a tagged or pointer embedded field, two
// fields of one name at one depth).
func fieldsOf(t reflect.Type) *structFields {
	if c, ok := fieldCache.Load(t); ok {
		return c.(*structFields)
	}
	fs := &structFields{byName: map[string][]int{}}
	depth := map[string]int{}
	if !collectFields(t, nil, fs, depth) {
		fs = nil
	}
	fieldCache.Store(t, fs)
	return fs
}

// collectFields adds t's members at index path at (a field of an embedded
// struct is promoted, as by encoding/json: the shallowest of a name wins; two
// at one depth make the type unsupported here).
func collectFields(t reflect.Type, at []int, fs *structFields, depth map[string]int) bool {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		path := append(append([]int(nil), at...), i)
		tag := f.Tag.Get("json")
		if f.Anonymous {
			if tag != "" || f.Type.Kind() != reflect.Struct {
				return false
			}
			if !collectFields(f.Type, path, fs, depth) {
				return false
			}
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			return false
		}
		if name == "" {
			name = f.Name
		}
		if !validTagName(name) {
			return false
		}
		if d, ok := depth[name]; ok {
			if d == len(path) {
				return false
			}
			if d < len(path) {
				continue // a shallower field of this name wins
			}
		}
		depth[name] = len(path)
		fs.byName[name] = path
	}
	return true
}

// validTagName is a conservative version of encoding/json's check (it uses
// the field's Go name for a tag name it rejects).
func validTagName(s string) bool {
	for _, c := range s {
		if !(c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return s != ""
}
