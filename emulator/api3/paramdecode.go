package api3

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
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
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !zeroBytes(rv.UnsafePointer(), rv.Type().Elem().Size()) {
		return fallback
	}
	// A fallback half way zeroes v again: untouched, as it came.
	if err := decoderOf(rv.Elem().Type()).decode(params, rv.UnsafePointer()); err != nil {
		rv.Elem().SetZero()
		return err
	}
	return nil
}

// zeroBytes reports whether the size bytes at p are all zero: then the value
// there is its type's zero value (reflect's IsZero walked a struct's fields
// one by one). A zero value with non-zero bytes (padding, say) only makes
// the fast path give up.
func zeroBytes(p unsafe.Pointer, size uintptr) bool {
	b := unsafe.Slice((*byte)(p), size)
	for len(b) >= 8 {
		if *(*uint64)(unsafe.Pointer(&b[0])) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberType  = reflect.TypeFor[json.Number]()
	stringType      = reflect.TypeFor[string]()
)

// typeDecoder decodes a parsed value into a value of one type. Everything
// about the type (its kind, its unmarshalers, its fields and their own
// decoders, their offsets) is worked out once per type (decoderOf), not per
// value: asking reflect whether a type implements an interface, per value,
// was a third of the decoding. Values are written through unsafe pointers
// (the field's offset in its struct, the element's in its array) rather
// than reflect.Value's Field, Set and SetString, which were most of what
// remained; the kinds so written have a fixed layout (string, bool, sized
// ints and floats, pointer, slice header).
type typeDecoder struct {
	t    reflect.Type
	kind reflect.Kind
	size uintptr // t.Size(): ints and floats by width, slice elements' stride
	// fallback: every value of t goes to encoding/json, even null (a type
	// with its own unmarshaler sees null; json.Number is a string type that
	// accepts numbers).
	fallback bool
	elem     *typeDecoder // pointer, slice, map elements
	fields   *structFields
	// byLen: struct: its fields by the length of their JSON name, nil when
	// fieldsOf refuses the type. A key is matched by its length and then
	// a comparison or two, where a map[string] lookup hashed every key
	// (a fifth of the decoding).
	byLen [][]fieldDecoder
	// all: the same fields in one list, for an object of about as many
	// keys as the struct has fields (decodeStruct).
	all     []fieldDecoder
	ptrElem reflect.Type // pointer: the type pointed to
	// arrays: slice: [n]elem for n < len(arrays), made on first use, so a
	// short slice is one allocation (reflect.New of the array) where
	// reflect.MakeSlice is two (the array and the header it returns).
	arrays [smallSlice]atomic.Pointer[reflect.Type]
}

// smallSlice bounds the slice lengths whose array types are kept.
const smallSlice = 9

type fieldDecoder struct {
	name   string  // JSON name
	offset uintptr // from the struct's start, through embedded structs
	dec    *typeDecoder
}

// field returns the field named k exactly.
func (d *typeDecoder) field(k string) *fieldDecoder {
	if len(k) >= len(d.byLen) {
		return nil
	}
	fs := d.byLen[len(k)]
	for i := range fs {
		if fs[i].name == k {
			return &fs[i]
		}
	}
	return nil
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
	d := &typeDecoder{t: t, kind: t.Kind(), size: t.Size()}
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
			d.byLen = [][]fieldDecoder{}
			for name, index := range d.fields.byName {
				// Embedded structs are values (fieldsOf refuses embedded
				// pointers), so a promoted field's offset is the sum.
				var off uintptr
				ft := t
				for _, i := range index {
					f := ft.Field(i)
					off += f.Offset
					ft = f.Type
				}
				for len(d.byLen) <= len(name) {
					d.byLen = append(d.byLen, nil)
				}
				f := fieldDecoder{name: name, offset: off, dec: compileDecoder(ft, building)}
				d.byLen[len(name)] = append(d.byLen[len(name)], f)
				d.all = append(d.all, f)
			}
		}
	}
	return d
}

// sliceHeader is the layout of every slice value.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// newArray returns a zeroed array of n elements of d's slice type.
func (d *typeDecoder) newArray(n int) unsafe.Pointer {
	if n >= smallSlice {
		return reflect.MakeSlice(d.t, n, n).UnsafePointer()
	}
	at := d.arrays[n].Load()
	if at == nil {
		t := reflect.ArrayOf(n, d.t.Elem())
		at = &t
		d.arrays[n].Store(at)
	}
	return reflect.New(*at).UnsafePointer()
}

// decode decodes x into the value of d's type at p.
func (d *typeDecoder) decode(x any, p unsafe.Pointer) error {
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
		e := reflect.New(d.ptrElem).UnsafePointer()
		if err := d.elem.decode(x, e); err != nil {
			return err
		}
		*(*unsafe.Pointer)(p) = e
		return nil
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok || d.byLen == nil {
			return fallback
		}
		return d.decodeStruct(m, p)
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return fallback
		}
		*(*string)(p) = s
		return nil
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return fallback
		}
		*(*bool)(p) = b
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return fallback
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return fallback
		}
		return setInt(p, d.size, i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := x.(json.Number)
		if !ok {
			return fallback
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil {
			return fallback
		}
		return setUint(p, d.size, u)
	case reflect.Float32, reflect.Float64:
		n, ok := x.(json.Number)
		if !ok {
			return fallback
		}
		f, err := strconv.ParseFloat(string(n), int(d.size*8))
		if err != nil {
			return fallback
		}
		if d.size == 4 {
			// ParseFloat's range error covers it; reflect's OverflowFloat
			// test kept as the old path had it.
			if math.Abs(f) > math.MaxFloat32 {
				return fallback
			}
			*(*float32)(p) = float32(f)
			return nil
		}
		*(*float64)(p) = f
		return nil
	case reflect.Slice:
		l, ok := x.([]any)
		if !ok || d.elem == nil {
			return fallback
		}
		data := d.newArray(len(l))
		stride := d.elem.size
		for i, e := range l {
			if err := d.elem.decode(e, unsafe.Add(data, uintptr(i)*stride)); err != nil {
				return err
			}
		}
		*(*sliceHeader)(p) = sliceHeader{data: data, len: len(l), cap: len(l)}
		return nil
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || d.elem == nil {
			return fallback
		}
		out := reflect.MakeMapWithSize(d.t, len(m))
		for k, e := range m {
			ev := reflect.New(d.elem.t)
			if err := d.elem.decode(e, ev.UnsafePointer()); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev.Elem())
		}
		reflect.NewAt(d.t, p).Elem().Set(out)
		return nil
	case reflect.Interface:
		if d.t.NumMethod() != 0 {
			return fallback
		}
		g, err := generic(x)
		if err != nil {
			return err
		}
		*(*any)(p) = g
		return nil
	}
	return fallback
}

// decodeStruct decodes the object m into the struct at p. Iterating a map
// costs about as much as three lookups to start (its random offset) and a
// lookup per key, so an object of few keys against a struct of many fields
// (a task: 4 of 14) is walked key by key, and one of about as many keys as
// fields (most of the small ones) field by field. Either way a key matching
// no field exactly is ignored unless it matches one case-insensitively,
// which json.Unmarshal would take: then the fast path gives up.
func (d *typeDecoder) decodeStruct(m map[string]any, p unsafe.Pointer) error {
	if len(d.all) > len(m)+3 {
		for k, e := range m {
			f := d.field(k)
			if f == nil {
				if d.fields.folds(k) {
					return fallback
				}
				continue // unknown keys are ignored, as by json.Unmarshal
			}
			if err := f.dec.decode(e, unsafe.Add(p, f.offset)); err != nil {
				return err
			}
		}
		return nil
	}
	matched := 0
	for i := range d.all {
		f := &d.all[i]
		e, ok := m[f.name]
		if !ok {
			continue
		}
		matched++
		if err := f.dec.decode(e, unsafe.Add(p, f.offset)); err != nil {
			return err
		}
	}
	if matched < len(m) {
		for k := range m {
			if d.field(k) == nil && d.fields.folds(k) {
				return fallback
			}
		}
	}
	return nil
}

// setInt stores i in the size-byte signed integer at p, or falls back when
// it does not fit (reflect's OverflowInt).
func setInt(p unsafe.Pointer, size uintptr, i int64) error {
	switch size {
	case 1:
		if int64(int8(i)) != i {
			return fallback
		}
		*(*int8)(p) = int8(i)
	case 2:
		if int64(int16(i)) != i {
			return fallback
		}
		*(*int16)(p) = int16(i)
	case 4:
		if int64(int32(i)) != i {
			return fallback
		}
		*(*int32)(p) = int32(i)
	case 8:
		*(*int64)(p) = i
	default:
		return fallback
	}
	return nil
}

// setUint stores u in the size-byte unsigned integer at p, or falls back
// when it does not fit (reflect's OverflowUint).
func setUint(p unsafe.Pointer, size uintptr, u uint64) error {
	switch size {
	case 1:
		if uint64(uint8(u)) != u {
			return fallback
		}
		*(*uint8)(p) = uint8(u)
	case 2:
		if uint64(uint16(u)) != u {
			return fallback
		}
		*(*uint16)(p) = uint16(u)
	case 4:
		if uint64(uint32(u)) != u {
			return fallback
		}
		*(*uint32)(p) = uint32(u)
	case 8:
		*(*uint64)(p) = u
	default:
		return fallback
	}
	return nil
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
