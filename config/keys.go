package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file turns the YAML library's wording into a volunteer's: an
// unknown key is named with its section and the nearest known key, and a
// tab in the indentation is called a tab. Both are found by looking at the
// document ourselves, not by reading the library's messages.

// checkKeys walks the document against the Config type and returns one
// problem per key that Config does not have, in document order.
func checkKeys(root *yaml.Node) []string {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	var p []string
	walkKeys(root, reflect.TypeOf(Config{}), "", &p)
	return p
}

func walkKeys(n *yaml.Node, typ reflect.Type, section string, p *[]string) {
	if n.Kind != yaml.MappingNode || typ.Kind() != reflect.Struct {
		return
	}
	fields := yamlFields(typ)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			*p = append(*p, unknownKey(k, section, fields))
			continue
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(ByteSize(0)) {
			walkKeys(v, ft, join(section, k.Value), p)
		}
	}
}

func join(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}

// yamlFields maps each yaml key of a struct type (inline structs included)
// to its field's type.
func yamlFields(typ reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, t := range yamlFields(f.Type) {
				m[k] = t
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}

func unknownKey(k *yaml.Node, section string, fields map[string]reflect.Type) string {
	where := "at the top level"
	if section != "" {
		where = "in `" + section + "`"
	}
	msg := fmt.Sprintf("line %d: unknown key `%s` %s", k.Line, k.Value, where)
	if s := nearest(k.Value, fields); s != "" {
		return msg + fmt.Sprintf(", did you mean `%s`?", s)
	}
	known := make([]string, 0, len(fields))
	for f := range fields {
		known = append(known, f)
	}
	sort.Strings(known)
	return msg + " (the keys there are " + strings.Join(known, ", ") + ")"
}

// nearest is the known key closest to key, if it is close enough to be a
// typo: at most a third of its letters wrong, and at most 3.
func nearest(key string, fields map[string]reflect.Type) string {
	best, bestD := "", -1
	for f := range fields {
		d := EditDistance(strings.ToLower(key), f)
		if bestD < 0 || d < bestD || d == bestD && f < best {
			best, bestD = f, d
		}
	}
	if bestD < 0 || bestD > 3 || bestD*3 > len(key) {
		return ""
	}
	return best
}

// EditDistance is the number of single-letter changes (insert, delete,
// replace, or swap two neighbours) that turn a into b: how "did you mean"
// finds a mistyped key here, and a mistyped command in cmd/foi.
func EditDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// tabLine is the first line (1-based) whose indentation holds a tab, or 0.
// YAML indents with spaces only.
func tabLine(data []byte) int {
	for i, line := range strings.Split(string(data), "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if strings.Contains(indent, "\t") && strings.TrimSpace(line) != "" {
			return i + 1
		}
	}
	return 0
}
