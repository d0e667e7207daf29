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
	if err := decoderOf(rv.Elem().Type()).decode(params, rv.Elem()); err != nil {
		rv.Elem().SetZero()
		return err
	}
	return nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberType  = reflect.TypeFor[json.Number]()
	stringType      = reflect.TypeFor[string]()
)

// typeDecoder decodes a parsed value into a value of one type. Everything
// about the type (its kind, its unmarshalers, its fields and their own
// decoders) is worked out once per type (decoderOf), not per value: asking
// reflect whether a type implements an interface, per value, was a third of
// the decoding.
type typeDecoder struct {
	t    reflect.Type
	kind reflect.Kind
	// fallback: every value of t goes to encoding/json, even null (a type
	// with its own unmarshaler sees null; json.Number is a string type that
	// accepts numbers).
	fallback bool
	elem     *typeDecoder // pointer, slice, map elements
	fields   *structFields
	byName   map[string]fieldDecoder // struct: JSON name -> field
	ptrElem  reflect.Type            // pointer: the type pointed to
}

type fieldDecoder struct {
	index []int
	dec   *typeDecoder
}

var decoderCache sync.Map // reflect.Type -> *typeDecoder

// decoderOf returns t's decoder, compiling it (and its fields' and
// elements') on first use. Recursive types share the node being built.
func decoderOf(t reflect.Type) *typeDecoder {
	if d, ok := decoderCache.Load(t); ok {
		return d.(*typeDecoder)
	}
	d := compileDecoder(t, map[reflect.Type]*typeDecoder{})
	actual, _ := decoderCache.LoadOrStore(t, d)
	return actual.(*typeDecoder)
}

func compileDecoder(t reflect.Type, building map[reflect.Type]*typeDecoder) *typeDecoder {
	if d, ok := decoderCache.Load(t); ok {
		return d.(*typeDecoder)
	}
	if d := building[t]; d != nil {
		return d
	}
	d := &typeDecoder{t: t, kind: t.Kind()}
	building[t] = d
	if t == jsonNumberType || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		d.fallback = true
		return d
	}
	switch d.kind {
	case reflect.Pointer:
		d.ptrElem = t.Elem()
		d.elem = compileDecoder(t.Elem(), building)
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 { // []byte is base64 text: fallback
			d.elem = compileDecoder(t.Elem(), building)
		}
	case reflect.Map:
		if t.Key() == stringType {
			d.elem = compileDecoder(t.Elem(), building)
		}
	case reflect.Struct:
		d.fields = fieldsOf(t)
		if d.fields != nil {
			d.byName = make(map[string]fieldDecoder, len(d.fields.byName))
			for name, index := range d.fields.byName {
				d.byName[name] = fieldDecoder{index: index, dec: compileDecoder(t.FieldByIndex(index).Type, building)}
			}
		}
	}
	return d
}

// decode decodes x into v, which has d's type.
func (d *typeDecoder) decode(x any, v reflect.Value) error {
	if d.fallback {
		return fallback
	}
	if x == nil {
		// null leaves a value as it is (zero here), and makes a pointer,
		// slice, map or interface nil (zero too).
		return nil
	}
	switch d.kind {
	case reflect.Pointer:
		e := reflect.New(d.ptrElem)
		if err := d.elem.decode(x, e.Elem()); err != nil {
			return err
		}
		v.Set(e)
		return nil
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok || d.byName == nil {
			return fallback
		}
		for k, e := range m {
			f, ok := d.byName[k]
			if !ok {
				if d.fields.folds(k) {
					return fallback
				}
				continue // unknown keys are ignored, as by json.Unmarshal
			}
			fv := v.Field(f.index[0])
			if len(f.index) > 1 {
				fv = v.FieldByIndex(f.index)
			}
			if err := f.dec.decode(e, fv); err != nil {
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
		f, err := strconv.ParseFloat(string(n), d.t.Bits())
		if err != nil || v.OverflowFloat(f) {
			return fallback
		}
		v.SetFloat(f)
		return nil
	case reflect.Slice:
		l, ok := x.([]any)
		if !ok || d.elem == nil {
			return fallback
		}
		s := reflect.MakeSlice(d.t, len(l), len(l))
		for i, e := range l {
			if err := d.elem.decode(e, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || d.elem == nil {
			return fallback
		}
		out := reflect.MakeMapWithSize(d.t, len(m))
		for k, e := range m {
			ev := reflect.New(d.elem.t).Elem()
			if err := d.elem.decode(e, ev); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
		return nil
	case reflect.Interface:
		if d.t.NumMethod() != 0 {
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
