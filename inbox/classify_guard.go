// Guards for the classifier's regular expressions. Classification reads up
// to 64 KB of attached letters with some hundred expressions, and Go's
// regexp engine steps through the whole text for each expression that has
// no literal prefix to skip ahead to, even when the text has none of the
// expression's words. A guard is a set of literal strings one of which
// every match of the expression contains; one pass over a text with an
// Aho-Corasick automaton of all the guards' literals says which of them
// occur, and an expression whose guard has none of its literals in the text
// cannot match it, so it is not run. An expression that may match is run
// as before, on the same text: a guard only ever skips work, it never
// changes a result.
//
// The literals are compared after folding case and white space the way the
// expressions do: each rune is mapped to one member of its case-folding
// orbit (so "ſ" and "S" are "s", as (?i) matches them), and each run of the
// white space \s matches (tab, newline, form feed, carriage return, space)
// to one space, as the phrase tables let any run of white space stand for a
// space. An occurrence of a literal in a text is then an occurrence of its
// folded form in the folded text.

package inbox

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// guardedRe is a regular expression with its guard.
type guardedRe struct {
	re *regexp.Regexp
	g  guard
}

// guardRe makes the guard of re.
func guardRe(re *regexp.Regexp) guardedRe {
	return guardedRe{re: re, g: newGuard(re)}
}

// FindString is re.FindString(s), s having been scanned into seen.
func (g guardedRe) FindString(s string, seen seenLits) string {
	if !g.g.pass(seen) {
		return ""
	}
	return g.re.FindString(s)
}

// MatchString is re.MatchString(s), s having been scanned into seen.
func (g guardedRe) MatchString(s string, seen seenLits) bool {
	return g.g.pass(seen) && g.re.MatchString(s)
}

// FindShort is re.FindString(s) for a short text not scanned before (a
// subject, a name): scanning it is cheaper than running re over it.
func (g guardedRe) FindShort(s string) string { return g.FindString(s, scanLits(s)) }

// MatchShort is re.MatchString(s) for a short text not scanned before.
func (g guardedRe) MatchShort(s string) bool { return g.MatchString(s, scanLits(s)) }

// guard lists the literals (ids in guardLits) one of which every match
// contains; always is set when nothing is known, and the expression is
// always run.
type guard struct {
	always bool
	ids    []int32
}

// seenLits records which of guardLits' literals a text holds; nil means
// the text was not scanned, and every guard passes.
type seenLits []uint64

func (g guard) pass(seen seenLits) bool {
	if g.always || seen == nil {
		return true
	}
	for _, id := range g.ids {
		if seen[id>>6]&(1<<(id&63)) != 0 {
			return true
		}
	}
	return false
}

// newGuard finds the literals of re and registers them in guardLits. The
// analysis of every guarded expression is kept in guardTable
// (classify_guard_table.go, written by `go test ./inbox -run
// TestGuardTable -update`), so that starting foi does not work it out
// again; an expression not in the table is analysed here.
func newGuard(re *regexp.Regexp) guard {
	t, found := guardTable[re.String()]
	if !found {
		t.lits, t.ok = requiredLiterals(re.String())
	}
	lits, ok := t.lits, t.ok
	if !ok {
		return guard{always: true}
	}
	ids := guardLits.add(lits)
	if ids == nil {
		return guard{always: true}
	}
	return guard{ids: ids}
}

// guardLiterals is what requiredLiterals found of one expression.
type guardLiterals struct {
	lits []string
	ok   bool
}

// scanLits scans text for the guards' literals. It is safe for concurrent
// use.
func scanLits(text string) seenLits {
	return guardLits.scan(text)
}

// guardLits holds the literals of every guard. Guards are made while the
// package's variables are initialised; the automaton is built at the first
// scan and never changes after.
var guardLits = &litTable{ids: map[string]int32{}}

type litTable struct {
	ids  map[string]int32
	lits []string

	once   sync.Once
	built  bool
	class  [256]uint8 // byte -> input class; 0 for bytes in no literal
	nclass int
	// delta[state*nclass+class] is the next state; ends[state] is set if
	// literals end in it. off is set when the literals need more states
	// than delta can number: then nothing is skipped.
	delta []uint16
	ends  []bool
	off   bool
	outAt []int32 // the literals ending in state s are out[outAt[s]:outAt[s+1]]
	out   []int32
	fold  []uint16 // foldRune of the runes below len(fold)
}

// add registers lits and returns their ids; nil once the automaton is
// built.
func (t *litTable) add(lits []string) []int32 {
	if t.built {
		return nil
	}
	var ids []int32
	for _, l := range lits {
		id, ok := t.ids[l]
		if !ok {
			id = int32(len(t.lits))
			t.ids[l] = id
			t.lits = append(t.lits, l)
		}
		ids = append(ids, id)
	}
	return ids
}

// none marks a missing transition while the automaton is built.
const none = 0xffff

// build makes the Aho-Corasick automaton of the literals, as a full
// transition table over the classes of bytes that occur in them.
func (t *litTable) build() {
	t.built = true
	t.nclass = 1
	for _, l := range t.lits {
		for i := 0; i < len(l); i++ {
			if t.class[l[i]] == 0 {
				t.class[l[i]] = uint8(t.nclass)
				t.nclass++
			}
		}
	}
	// The trie, in the table itself: -1 where there is no transition. It
	// has a state for each distinct beginning of a literal.
	sorted := slices.Clone(t.lits)
	slices.Sort(sorted)
	states := 1
	for i, l := range sorted {
		common := 0
		if i > 0 {
			for common < len(l) && common < len(sorted[i-1]) && l[common] == sorted[i-1][common] {
				common++
			}
		}
		states += len(l) - common
	}
	if states >= none {
		t.off = true
		return
	}
	n := t.nclass
	delta := make([]uint16, n, states*n)
	for i := range delta {
		delta[i] = none
	}
	ends := make([][]int32, 1, states)
	for id, l := range t.lits {
		s := 0
		for i := 0; i < len(l); i++ {
			c := int(t.class[l[i]])
			if delta[s*n+c] == none {
				delta[s*n+c] = uint16(len(ends))
				ends = append(ends, nil)
				for range n {
					delta = append(delta, none)
				}
			}
			s = int(delta[s*n+c])
		}
		ends[s] = append(ends[s], int32(id))
	}
	// Failure links, breadth first, completing the transitions.
	fail := make([]uint16, len(ends))
	var queue []uint16
	for c := 0; c < n; c++ {
		if next := delta[c]; next == none {
			delta[c] = 0
		} else {
			queue = append(queue, next)
		}
	}
	for len(queue) > 0 {
		s := int(queue[0])
		queue = queue[1:]
		f := int(fail[s])
		ends[s] = append(ends[s], ends[f]...)
		for c := 0; c < n; c++ {
			if next := delta[s*n+c]; next == none {
				delta[s*n+c] = delta[f*n+c]
			} else {
				fail[next] = delta[f*n+c]
				queue = append(queue, next)
			}
		}
	}
	t.outAt = make([]int32, len(ends)+1)
	for s, e := range ends {
		t.outAt[s] = int32(len(t.out))
		t.out = append(t.out, e...)
	}
	t.outAt[len(ends)] = int32(len(t.out))
	t.ends = make([]bool, len(ends))
	for s, e := range ends {
		t.ends[s] = len(e) > 0
	}
	t.delta = delta
	// Latin, Greek, Cyrillic and the punctuation and letter-like symbols
	// (the Kelvin sign) fold by table.
	t.fold = make([]uint16, 0x2200)
	for r := range t.fold {
		t.fold[r] = uint16(foldRune(rune(r)))
	}
}

func (t *litTable) scan(text string) seenLits {
	t.once.Do(t.build)
	if t.off {
		return nil
	}
	seen := make(seenLits, (len(t.lits)+63)/64+1)
	s := 0
	space := false
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(text); {
		b := text[i]
		var tail []byte // the further bytes of a folded rune
		if b < utf8.RuneSelf {
			i++
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			if int(r) < len(t.fold) {
				r = rune(t.fold[r])
			} else {
				r = foldRune(r)
			}
			if r < utf8.RuneSelf {
				b = byte(r)
			} else {
				n := utf8.EncodeRune(buf[:], r)
				b, tail = buf[0], buf[1:n]
			}
		}
		switch {
		case isRegexpSpace(b):
			if space {
				continue
			}
			space, b = true, ' '
		case 'A' <= b && b <= 'Z':
			space, b = false, b+'a'-'A'
		default:
			space = false
		}
		for {
			s = int(t.delta[s*t.nclass+int(t.class[b])])
			if t.ends[s] {
				for _, id := range t.out[t.outAt[s]:t.outAt[s+1]] {
					seen[id>>6] |= 1 << (id & 63)
				}
			}
			if len(tail) == 0 {
				break
			}
			b, tail = tail[0], tail[1:]
		}
	}
	return seen
}

// isRegexpSpace reports whether b is in the class \s of package regexp.
func isRegexpSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

// foldRune maps r to one member of its case-folding orbit: the lower-case
// letter for ASCII, else the smallest rune of the orbit (in ASCII lower
// case if that is an ASCII letter: "K", the Kelvin sign, is "k").
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// foldString folds each rune of s and each run of white space as a scan
// does.
func foldString(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		r = foldRune(r)
		if r < utf8.RuneSelf && isRegexpSpace(byte(r)) {
			if space {
				continue
			}
			space, r = true, ' '
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Finding the literals. What is known of the strings an expression
// matches, folded, is worked out from its syntax tree: the exact set of
// them while it is small, else sets that every match begins with, ends
// with, and holds one of (the way Russ Cox's "Regular Expression Matching
// with a Trigram Index" describes, with whole literals for trigrams).

const (
	maxExact     = 256  // strings an exact, prefix or suffix set may hold
	maxNeed      = 4096 // literals a guard may hold
	maxClassRune = 64   // runes a character class may span to be read
	maxClassSet  = 16   // distinct folded runes it may have
	maxLit       = 48   // bytes of a literal the automaton looks for
)

// litInfo is what is known of the strings an expression matches, folded:
// when isExact, they are the strings of exact; else each begins with one
// of prefix, ends with one of suffix (both {""} when nothing is known),
// and holds one of need (nil when nothing is known).
type litInfo struct {
	isExact        bool
	exact          []string
	prefix, suffix []string
	need           []string
}

var unknownInfo = litInfo{prefix: []string{""}, suffix: []string{""}}

func exactInfo(set ...string) litInfo {
	return litInfo{isExact: true, exact: set}
}

func (in litInfo) pre() []string {
	if in.isExact {
		return in.exact
	}
	return in.prefix
}

func (in litInfo) suf() []string {
	if in.isExact {
		return in.exact
	}
	return in.suffix
}

// needs is a set of literals one of which every match holds, nil if
// there is none.
func (in litInfo) needs() []string {
	if in.isExact {
		return usable(in.exact)
	}
	return in.need
}

// usable is set if no string of it is empty (an empty one is in every
// text), else nil.
func usable(set []string) []string {
	if len(set) == 0 || slices.Contains(set, "") {
		return nil
	}
	return set
}

// requiredLiterals returns folded literals one of which every match of
// the expression expr contains; ok is false when there are none to give.
func requiredLiterals(expr string) (lits []string, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	need := analyze(re.Simplify()).needs()
	if need == nil {
		return nil, false
	}
	// A literal that holds another is redundant: the other is found
	// whenever it is.
	// The literals are cut to their first maxLit bytes: what holds a
	// literal holds its beginning, and the automaton stays small.
	need = trimEnds(need, maxLit, false)
	slices.SortStableFunc(need, func(a, b string) int { return len(a) - len(b) })
	var out []string
	for _, l := range need {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.Contains(l, o) }) {
			out = append(out, l)
		}
	}
	return out, true
}

func analyze(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactInfo("")
	case syntax.OpLiteral:
		return exactInfo(foldString(string(re.Rune)))
	case syntax.OpCharClass:
		return classInfo(re.Rune)
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		return repeatInfo(re)
	case syntax.OpConcat:
		acc := exactInfo("")
		for _, sub := range re.Sub {
			acc = concatInfo(acc, analyze(sub))
		}
		return acc
	case syntax.OpAlternate:
		return alternateInfo(re.Sub)
	}
	return unknownInfo // OpNoMatch, OpAnyChar, OpAnyCharNotNL
}

func classInfo(ranges []rune) litInfo {
	var set []string
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxClassRune {
			return unknownInfo
		}
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if s := foldString(string(r)); !slices.Contains(set, s) {
				set = append(set, s)
			}
		}
	}
	if len(set) == 0 || len(set) > maxClassSet {
		return unknownInfo
	}
	return exactInfo(set...)
}

func repeatInfo(re *syntax.Regexp) litInfo {
	sub := analyze(re.Sub[0])
	least, most := 0, -1
	switch re.Op {
	case syntax.OpPlus:
		least = 1
	case syntax.OpQuest:
		most = 1
	case syntax.OpRepeat:
		least, most = re.Min, re.Max
	}
	switch {
	case least == 1 && most == 1:
		return sub
	case most == 1:
		if sub.isExact {
			return exactInfo(union(sub.exact, []string{""})...)
		}
		return unknownInfo
	case sub.isExact && !slices.ContainsFunc(sub.exact, func(s string) bool { return s != "" && s != " " }):
		// White space folds to one space however often it comes.
		if least == 0 {
			return exactInfo(union(sub.exact, []string{""})...)
		}
		return sub
	case least == 0:
		return unknownInfo
	}
	// Once or more: every match begins with a match of sub, ends with
	// one, and holds one.
	return litInfo{prefix: sub.pre(), suffix: sub.suf(), need: sub.needs()}
}

// concatInfo is what is known of a match of a followed by one of b.
func concatInfo(a, b litInfo) litInfo {
	if a.isExact && b.isExact && len(a.exact)*len(b.exact) <= maxExact {
		return exactInfo(cross(a.exact, b.exact)...)
	}
	out := litInfo{prefix: a.pre(), suffix: b.suf()}
	if a.isExact {
		if p := fitCross(a.exact, b.pre(), false, true); p != nil {
			out.prefix = p
		}
	}
	if b.isExact {
		if s := fitCross(a.suf(), b.exact, true, false); s != nil {
			out.suffix = s
		}
	}
	join := fitCross(a.suf(), b.pre(), true, true)
	out.need = best(a.needs(), b.needs(), usable(join), usable(out.prefix), usable(out.suffix))
	return out
}

func alternateInfo(subs []*syntax.Regexp) litInfo {
	var ins []litInfo
	allExact := true
	for _, sub := range subs {
		in := analyze(sub)
		ins = append(ins, in)
		allExact = allExact && in.isExact
	}
	if allExact {
		var set []string
		for _, in := range ins {
			set = union(set, in.exact)
		}
		if len(set) <= maxExact {
			return exactInfo(set...)
		}
	}
	var out litInfo
	for _, in := range ins {
		out.prefix = union(out.prefix, in.pre())
		out.suffix = union(out.suffix, in.suf())
	}
	for k := maxLen(out.prefix); len(out.prefix) > maxExact; k-- {
		out.prefix = nil
		for _, in := range ins {
			out.prefix = union(out.prefix, trimEnds(in.pre(), k, false))
		}
	}
	for k := maxLen(out.suffix); len(out.suffix) > maxExact; k-- {
		out.suffix = nil
		for _, in := range ins {
			out.suffix = union(out.suffix, trimEnds(in.suf(), k, true))
		}
	}
	var need []string
	for _, in := range ins {
		n := in.needs()
		if n == nil {
			need = nil
			break
		}
		need = union(need, n)
	}
	if len(need) > maxNeed {
		need = nil
	}
	out.need = best(need, usable(out.prefix), usable(out.suffix))
	return out
}

// best picks the most telling of the literal sets given (nil ones are
// left out): the one whose shortest literal is longest, then the one whose
// literals are longest on average.
func best(sets ...[]string) []string {
	var out []string
	short, avg := 0, 0.0
	for _, set := range sets {
		if set == nil {
			continue
		}
		s, sum := len(set[0]), 0
		for _, l := range set {
			s, sum = min(s, len(l)), sum+len(l)
		}
		a := float64(sum) / float64(len(set))
		if out == nil || s > short || s == short && a > avg {
			out, short, avg = set, s, a
		}
	}
	return out
}

// fitCross is cross(a, b) when it is small enough, else the cross of the
// strings shortened until it is: those of a to their last bytes if trimA
// (a's are ends of matches), those of b to their first bytes if trimB
// (b's are beginnings); nil when it cannot be made small.
func fitCross(a, b []string, trimA, trimB bool) []string {
	if len(a)*len(b) <= maxExact {
		return cross(a, b)
	}
	trim := func(k int) ([]string, []string) {
		a2, b2 := a, b
		if trimA {
			a2 = trimEnds(a, k, true)
		}
		if trimB {
			b2 = trimEnds(b, k, false)
		}
		return a2, b2
	}
	fits := func(k int) bool {
		a2, b2 := trim(k)
		return len(a2)*len(b2) <= maxExact
	}
	// The longest k that fits: shortening never adds strings, so the k
	// that fit are 1 to some K, found by halving.
	lo, hi := 0, max(maxLen(a), maxLen(b)) // fits(lo) (or lo is 0), !fits(hi+1)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return nil
	}
	return cross(trim(lo))
}

// trimEnds shortens the strings of set to their first k bytes, or their
// last k bytes if last.
func trimEnds(set []string, k int, last bool) []string {
	var out []string
	seen := make(map[string]bool, len(set)) // the sets run to thousands: a map, not a scan, finds repeats
	for _, s := range set {
		switch {
		case len(s) <= k:
		case last:
			s = s[len(s)-k:]
		default:
			s = s[:k]
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func maxLen(set []string) int {
	n := 0
	for _, s := range set {
		n = max(n, len(s))
	}
	return n
}

// cross is every string of a followed by one of b, white space at the
// join folded.
func cross(a, b []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range a {
		for _, y := range b {
			s := x + y
			if strings.HasSuffix(x, " ") && strings.HasPrefix(y, " ") {
				s = x + y[1:]
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// FindAllStringSubmatch is re.FindAllStringSubmatch(s, n), s having been
// scanned into seen.
func (g guardedRe) FindAllStringSubmatch(s string, n int, seen seenLits) [][]string {
	if !g.g.pass(seen) {
		return nil
	}
	return g.re.FindAllStringSubmatch(s, n)
}
