package inbox

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fastRegulation is regulation as a leadRe. citedSectionsIn runs
// regulation as it is: its guard's literals ("reg 13", "regulation
// 12(4)", ...) are in almost no text, so it seldom runs at all.
var fastRegulation = newLeadRe(regulation)

// sectionEdgeCases are texts at the edges of sectionList and regulation.
var sectionEdgeCases = []string{
	"", "s", "s4", "s40", "S40", "ſ40", "ſection 40", "ſectionſ\t40", "ſectionſ  40", "xs40", "xſ40", "x ſ40", "1ſ40", "_s40",
	"s40(2)(a)", "s.40(2)(a)", "s 40", "ss. 40 and 41", "secs. 40, 41", "sec.40", "sections 40(2), 41 and 43 (2)",
	"Sections 40 ( 2 ) ( a ), 41 & 43(2)(b) or 44", "section 40(2)(abcde)", "section 40(2)(ab)(cd)(ef)",
	"section 40,", "section 40, and", "section 40 and 41 and", "s40s41", "s40 s41", "s40,s41", "s40.s41", "s40(2)s41",
	"s.40s.41", "section 40section 41", "s12", "s123", "s1234", "s40a", "s40(", "s40(2", "s40(2)(", "s40(2)(a", "s40)",
	"section 40\n", "\nsection 40", "é section 40 é", "ésection 40", "és40", "€s40€", "s40é", "s40\u212a", "s40(\u212a)",
	"section 40(2)(\u017f)", "sections\u00a040", "section\v40", "section\f40", "section\r\n40", "section \t 40",
	"\xffs40", "\xc5s40", "\xc5\xbf40", "s40\xff", "\xe2\x84s40", "s\xff40", "section 4\xff0",
	"regulation 12(4)(b) and reg. 13", "regulations 12 (5) ( e )", "reg13", "reg 13(", "reg 130", "reg.12(4)", "reg.12(4)(f)",
	"xreg 13", "REGULATION 12(4)(b)", "regs. 13", "regulation 12(6)", "reg 12(4)(b)(c)", "reg 13\n", "reg 13é",
	"the 2024 act s 1 s 2 s 3", "1 2 3 4 5 6 7 8 9 0", "ends in a digit 7", "ss9",
	strings.Repeat("s40 ", 60), strings.Repeat("s40", 60), strings.Repeat("s.40,", 60), strings.Repeat("reg 13 ", 30),
	strings.Repeat("section 40 and ", 40) + "41", strings.Repeat(" ", 300) + "section 40" + strings.Repeat(" ", 300),
	"section 40" + strings.Repeat(" ", 3000) + "and 41", strings.Repeat("x", 3000) + " s40",
}

// sectionTexts are every text the tests can find: the edge cases, the
// string literals of the classifier's tests, and the corpus's bodies and
// attached letters, as they are and lower-cased as the classifier reads
// them.
func sectionTexts(tb testing.TB) []string {
	tb.Helper()
	texts := append([]string(nil), sectionEdgeCases...)
	for _, f := range []string{"classify_test.go", "classify_guard_test.go", "kinds_test.go", "match_test.go"} {
		texts = append(texts, stringLiterals(tb, f)...)
	}
	for _, c := range classifyInputs(tb) {
		texts = append(texts, c.m.Subject, c.m.Text, unquoted(c.m.Text))
		texts = append(texts, c.letters...)
	}
	n := len(texts)
	for _, s := range texts[:n] {
		texts = append(texts, strings.ToLower(s))
	}
	return texts
}

// stringLiterals returns the string literals of the Go file name.
func stringLiterals(tb testing.TB, name string) []string {
	tb.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out = append(out, s)
			}
		}
		return true
	})
	if len(out) == 0 {
		tb.Fatalf("%s: no string literals", name)
	}
	return out
}

// checkSame fails t if a leadRe finds other matches in s than regexp does.
func checkSame(t testing.TB, s string) {
	for _, l := range []*leadRe{fastSectionList, fastRegulation} {
		for _, n := range []int{50, 20, 1, 3, 0, -1} {
			got := l.FindAllStringSubmatch(s, n, nil)
			want := l.re.FindAllStringSubmatch(s, n)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: FindAllStringSubmatch(%q, %d) = %q, want %q", l.re, s, n, got, want)
			}
		}
		got := l.FindAllStringSubmatch(s, 50, scanLits(s))
		if want := l.re.FindAllStringSubmatch(s, 50); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: FindAllStringSubmatch(%q, 50, scanned) = %q, want %q", l.re, s, got, want)
		}
	}
}

func TestCitedSectionsSame(t *testing.T) {
	t.Parallel()
	texts := sectionTexts(t)
	found := 0
	for _, s := range texts {
		checkSame(t, s)
		found += len(fastSectionList.FindAllStringSubmatch(s, 50, nil))
		// The same text seen from other places: a match's context
		// begins where the text does.
		for _, i := range []int{1, 2, 3, len(s) / 3, len(s) / 2} {
			if i < len(s) {
				checkSame(t, s[i:])
				checkSame(t, s[:i])
			}
		}
	}
	if found < 100 {
		t.Errorf("the texts hold %d section lists, want at least 100 to compare", found)
	}
}

func TestCitedSectionsMatches(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want [][]string
	}{
		{"ſection 40", nil}, // no \b: ſ is no word character, nor is what precedes it
		{"xſection 40", [][]string{{"ſection 40", "40", ""}}},
		{"xs40", nil},
		{"xſ40", [][]string{{"ſ40", "", "40"}}}, // \b between x and ſ, which is no word character
		{"s40(2)(a)", [][]string{{"s40(2)(a)", "", "40(2)(a)"}}},
		{"sections 40(2), 41 and 43 (2).", [][]string{{"sections 40(2), 41 and 43 (2)", "40(2), 41 and 43 (2)", ""}}},
		{"s40 s41 s.42", [][]string{{"s40 ", "", "40"}, {"s41 ", "", "41"}, {"s.42", "42", ""}}},
		{"é s40é", [][]string{{"s40é", "", "40"}}},
	} {
		if got := fastSectionList.FindAllStringSubmatch(tt.in, 50, nil); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FindAllStringSubmatch(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := len(fastSectionList.FindAllStringSubmatch(strings.Repeat("s40 ", 60), 50, nil)); got != 50 {
		t.Errorf("60 sections, limit 50: %d matches, want 50", got)
	}
	if got := citedSections("Section 40(2) and s.43 apply; regulation 12(4)(b) too."); !reflect.DeepEqual(got, []string{"s.40(2)", "s.43", "reg.12(4)(b)"}) {
		t.Errorf("citedSections = %q", got)
	}
}

func TestLeadReBounds(t *testing.T) {
	t.Parallel()
	firsts := func(l *leadRe) string {
		var b []byte
		for c := range 256 {
			if l.first[c] {
				b = append(b, byte(c))
			}
		}
		return string(b)
	}
	if !fastSectionList.boundary || !fastRegulation.boundary {
		t.Errorf("boundary: sectionList %v, regulation %v; want both true", fastSectionList.boundary, fastRegulation.boundary)
	}
	if l := fastSectionList; !l.fast || l.reach != 11 || firsts(l) != "Ss\xc5" {
		t.Errorf("sectionList: fast %v, reach %d, first %q; want true, 11, \"Ss\\xc5\"", l.fast, l.reach, firsts(l))
	}
	if l := fastRegulation; !l.fast || l.reach != 13 || firsts(l) != "Rr" {
		t.Errorf("regulation: fast %v, reach %d, first %q; want true, 13, \"Rr\"", l.fast, l.reach, firsts(l))
	}
	for _, tt := range []struct {
		expr  string
		fast  bool
		reach int
	}{
		{`[0-9]`, true, 0},
		{`ab?[0-9]`, true, 2},
		{`(?i)k1`, true, 3}, // the Kelvin sign is three bytes
		{`x[0-9]{2}|yz?[0-9]`, true, 2},
		{`(?:ab){1,3}[0-9]`, true, 6},
		{`(?:a[0-9])+`, true, 1},
		{`a(?:b|[0-9])`, false, 0}, // "ab" holds no digit
		{`a*[0-9]`, false, 0},
		{`a\s*[0-9]`, false, 0},
		{`.[0-9]`, false, 0},
		{`[^a][0-9]`, false, 0},
		{`a?[0-9]`, true, 1}, // it may begin with a or a digit
		{`\x{fffd}1`, false, 0},
		{`a{0,70}1`, false, 0},
		{`(?i)\bs[0-9]`, true, 2},
		{`(?i)\bs[0-9]|s\b[0-9]`, true, 2},
		{`(?m)^s1|\Bs2`, true, 1},
	} {
		l := newLeadRe(guardRe(regexp.MustCompile(tt.expr)))
		if l.fast != tt.fast || l.fast && l.reach != tt.reach {
			t.Errorf("newLeadRe(%s): fast %v, reach %d; want %v, %d", tt.expr, l.fast, l.reach, tt.fast, tt.reach)
		}
		for _, s := range append([]string{"a1", "ab", "aab12", "xk1 \u212a1 x12 yz3 ab1ab2", "\xff1", "s1 xs1 s2 xs2 _s1 \n s1\ns1 xſ1 ſ1 és1 é\u017f1"}, sectionEdgeCases...) {
			if got, want := l.FindAllStringSubmatch(s, -1, nil), l.re.FindAllStringSubmatch(s, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: FindAllStringSubmatch(%q) = %q, want %q", tt.expr, s, got, want)
			}
		}
	}
}

func FuzzCitedSections(f *testing.F) {
	for _, s := range sectionEdgeCases {
		f.Add(s)
	}
	for _, s := range stringLiterals(f, "classify_test.go") {
		if len(s) < 2000 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []*leadRe{fastSectionList, fastRegulation} {
			n := 50
			if l == fastRegulation {
				n = 20
			}
			got := l.FindAllStringSubmatch(s, n, nil)
			if want := l.re.FindAllStringSubmatch(s, n); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: FindAllStringSubmatch(%q, %d) = %q, want %q", l.re, s, n, got, want)
			}
		}
	})
}

// letterText is 64 KB of the corpus's bodies, lower-cased as the
// classifier reads them.
func letterText(tb testing.TB) string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("corpus: %v", err)
	}
	var b strings.Builder
	for b.Len() < 64<<10 {
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			m, _ := Parse(raw)
			if m == nil {
				tb.Fatalf("%s: Parse returned nil", p)
			}
			b.WriteString(strings.ToLower(m.Text))
			b.WriteString("\n\n")
		}
	}
	s := b.String()
	end := 64 << 10
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end]
}

// BenchmarkCitedSections runs sectionList on the corpus's bodies, and
// sectionList and regulation on a 64 KB letter, with regexp and with
// leadRe, no guard consulted (sectionList's passes almost every text,
// regulation's almost none):
//
//	go test ./inbox -run '^$' -bench CitedSections -benchmem
func BenchmarkCitedSections(b *testing.B) {
	text := letterText(b)
	var bodies []string
	size := 0
	for _, c := range classifyInputs(b) {
		if strings.HasSuffix(c.name, ".eml") {
			bodies = append(bodies, strings.ToLower(c.m.Subject+"\n"+unquoted(c.m.Text)))
			size += len(bodies[len(bodies)-1])
		}
	}
	b.Run("sectionList/bodies/regexp", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, s := range bodies {
				sectionList.re.FindAllStringSubmatch(s, 50)
			}
		}
	})
	b.Run("sectionList/bodies/leadRe", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, s := range bodies {
				fastSectionList.FindAllStringSubmatch(s, 50, nil)
			}
		}
	})
	for _, l := range []struct {
		name string
		re   *leadRe
		n    int
	}{{"sectionList", fastSectionList, 50}, {"regulation", fastRegulation, 20}} {
		b.Run(l.name+"/regexp", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				l.re.re.FindAllStringSubmatch(text, l.n)
			}
		})
		b.Run(l.name+"/leadRe", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				l.re.FindAllStringSubmatch(text, l.n, nil)
			}
		})
	}
}
