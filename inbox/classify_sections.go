// Finding cited sections without stepping through the whole text.
//
// Every match of sectionList begins with "s" (or "S", or "ſ", which (?i)
// folds to s) and holds an ASCII digit at most 11 bytes after its
// beginning ("ſectionſ" and one white space). Go's regexp does not know
// this: with no literal prefix to skip ahead to, it steps through the
// whole text (up to 64 KB of attached letters) on every call, and the
// guard (classify_guard.go) cannot spare it, as "s0".."s9" are in almost
// every text. A leadRe works such bounds out from the expression's syntax,
// finds the places a match can begin (a byte a match can begin with, where
// \b can hold, at most that many bytes before a digit), and runs an
// anchored copy of the expression at each, in order. The leftmost match of
// the expression is the first of these places at which the anchored copy
// matches, and leftmost-first semantics make the anchored match the one
// the expression finds there, so the results are those of regexp's
// FindAllStringSubmatch, byte for byte (TestCitedSectionsSame,
// FuzzCitedSections). regulation would gain as much, but its guard's
// literals ("reg 13", "regulation 12(4)") are in almost no text, so it
// seldom runs and is left as it is.
//
// go test ./inbox -run '^$' -bench CitedSections -benchmem (three runs, 2
// cores, the guard not consulted):
//
//	sectionList, the corpus's 60 bodies  regexp  1.04-1.08 ms  4.8 KB  52 allocs
//	                                     leadRe  34-39 µs      2.6 KB  54 allocs
//	sectionList, a 64 KB letter          regexp  2.7-3.4 ms    8.7 KB  104 allocs
//	                                     leadRe  99-105 µs     8.2 KB  106 allocs
//	regulation, a 64 KB letter           regexp  1.2-1.7 ms    0
//	                                     leadRe  54-59 µs      0

package inbox

import (
	"regexp"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// fastSectionList is sectionList as citedSectionsIn runs it.
var fastSectionList = newLeadRe(sectionList)

// leadRe is a guarded expression whose matches can be found from the
// digits of a text: each begins with a byte of first and holds an ASCII
// digit at most reach bytes after its beginning.
type leadRe struct {
	guardedRe
	fast  bool // first and reach are known; else the expression is run as it is
	first [256]bool
	reach int
	// boundary is set when every match begins with \b: then a match
	// begins only where a word character meets one that is not.
	boundary bool
	// atStart is \A(?:re), for a match at the beginning of a text; after
	// is \A(?s:.)(?:re), run from the rune before the place a match may
	// begin, so that \b and the other empty-width assertions see what
	// precedes it. (?s:.) captures nothing: the groups are re's.
	atStart, after *regexp.Regexp
}

// maxReach is the most bytes before a digit a leadRe looks back.
const maxReach = 64

// newLeadRe works out the bounds of g's expression; one it cannot bound
// is run as it is.
func newLeadRe(g guardedRe) *leadRe {
	l := &leadRe{guardedRe: g}
	expr := g.re.String()
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return l
	}
	re = re.Simplify()
	canEmpty, ok := firstBytes(re, &l.first)
	if !ok || canEmpty {
		return l
	}
	without, before := digitReach(re)
	if without != noReach || before < 0 || before > maxReach {
		return l // a match may hold no digit, or hold it too far in
	}
	atStart, err1 := regexp.Compile(`\A(?:` + expr + `)`)
	after, err2 := regexp.Compile(`\A(?s:.)(?:` + expr + `)`)
	if err1 != nil || err2 != nil || atStart.NumSubexp() != g.re.NumSubexp() || after.NumSubexp() != g.re.NumSubexp() {
		return l
	}
	l.reach, l.boundary = before, beginsWithBoundary(re)
	l.atStart, l.after = atStart, after
	l.fast = true
	return l
}

// FindAllStringSubmatch is re.FindAllStringSubmatch(s, n), s having been
// scanned into seen.
func (l *leadRe) FindAllStringSubmatch(s string, n int, seen seenLits) [][]string {
	if !l.g.pass(seen) {
		return nil
	}
	if !l.fast {
		return l.re.FindAllStringSubmatch(s, n)
	}
	var out [][]string
	// lo is the first place not yet tried; d walks the digits. A match
	// at p holds the first digit at or after p, so the places to try for
	// the digit d are those from d-reach to d.
	lo := 0
	for d := 0; n < 0 || len(out) < n; d = lo {
		d = indexDigit(s, d)
		if d < 0 {
			break
		}
		for p := max(lo, d-l.reach); p <= d; p++ {
			if !l.first[s[p]] || l.boundary && (p > 0 && isWordByte(s[p-1])) == isWordByte(s[p]) {
				continue
			}
			if loc := l.matchAt(s, p); loc != nil {
				out = append(out, submatches(s, loc))
				lo = loc[1] // > d: the match holds the digit d
				break
			}
		}
		lo = max(lo, d+1)
	}
	return out
}

// matchAt returns the submatch indexes in s of the match that begins at
// p, nil if none does.
func (l *leadRe) matchAt(s string, p int) []int {
	if p == 0 {
		return l.atStart.FindStringSubmatchIndex(s)
	}
	// Forward from the beginning of the rune before p, (?s:.) steps over
	// that rune and no more: a valid rune decodes the same both ways, and
	// a byte that is no rune's end is one byte (RuneError) both ways, as
	// the byte at p begins a rune (first holds no continuation bytes).
	_, size := utf8.DecodeLastRuneInString(s[:p])
	q := p - size
	loc := l.after.FindStringSubmatchIndex(s[q:])
	if loc == nil {
		return nil
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += q
		}
	}
	loc[0] = p
	return loc
}

// isWordByte reports whether the rune that b is the last or first byte
// of is a word character for \b: only ASCII ones are, and no byte of a
// non-ASCII rune (or of invalid UTF-8) is ASCII.
func isWordByte(b byte) bool {
	return syntax.IsWordChar(rune(b)) && b < utf8.RuneSelf
}

// submatches is what FindAllStringSubmatch gives for the match loc: the
// text of each group, "" for one that took no part.
func submatches(s string, loc []int) []string {
	out := make([]string, len(loc)/2)
	for i := range out {
		if loc[2*i] >= 0 {
			out[i] = s[loc[2*i]:loc[2*i+1]]
		}
	}
	return out
}

// indexDigit returns the index of the first ASCII digit of s at or after
// from, -1 if there is none.
func indexDigit(s string, from int) int {
	for i := from; i < len(s); i++ {
		if s[i]-'0' < 10 {
			return i
		}
	}
	return -1
}

// The bounds, from the syntax tree.

const (
	noReach  = -1      // no such match
	infinite = 1 << 30 // unbounded
)

// firstBytes adds to set the bytes a match of re can begin with, and
// reports whether re can match the empty string (then what follows it
// can begin the match too); ok is false when the bytes are not known (a
// class too wide to list, any character, or RuneError, which matches
// bytes of invalid UTF-8).
func firstBytes(re *syntax.Regexp, set *[256]bool) (canEmpty, ok bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return false, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true, true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return true, true
		}
		r := re.Rune[0]
		if !addFirst(set, r) {
			return false, false
		}
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				if !addFirst(set, f) {
					return false, false
				}
			}
		}
		return false, true
	case syntax.OpCharClass:
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
			if n > 256 {
				return false, false
			}
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if !addFirst(set, r) {
					return false, false
				}
			}
		}
		return false, true
	case syntax.OpCapture, syntax.OpPlus:
		return firstBytes(re.Sub[0], set)
	case syntax.OpStar, syntax.OpQuest:
		_, ok := firstBytes(re.Sub[0], set)
		return true, ok
	case syntax.OpRepeat:
		if re.Max == 0 {
			return true, true
		}
		canEmpty, ok := firstBytes(re.Sub[0], set)
		return canEmpty || re.Min == 0, ok
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			canEmpty, ok := firstBytes(sub, set)
			if !ok || !canEmpty {
				return canEmpty, ok
			}
		}
		return true, true
	case syntax.OpAlternate:
		canAny := false
		for _, sub := range re.Sub {
			canEmpty, ok := firstBytes(sub, set)
			if !ok {
				return false, false
			}
			canAny = canAny || canEmpty
		}
		return canAny, true
	}
	return false, false // OpAnyChar, OpAnyCharNotNL
}

// beginsWithBoundary reports whether every match of re begins with \b.
func beginsWithBoundary(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpWordBoundary:
		return true
	case syntax.OpCapture:
		return beginsWithBoundary(re.Sub[0])
	case syntax.OpConcat:
		return len(re.Sub) > 0 && beginsWithBoundary(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !beginsWithBoundary(sub) {
				return false
			}
		}
		return true
	}
	return false
}

// addFirst adds the first byte of r's UTF-8 form to set; false for
// RuneError and for runes that have none.
func addFirst(set *[256]bool, r rune) bool {
	if r == utf8.RuneError || !utf8.ValidRune(r) {
		return false
	}
	var buf [utf8.UTFMax]byte
	utf8.EncodeRune(buf[:], r)
	set[buf[0]] = true
	return true
}

// digitReach returns the most bytes a match of re that holds no ASCII
// digit can be (without), and the most bytes before the first digit of
// one that holds one (before): noReach when there is no such match,
// infinite when there is no bound.
func digitReach(re *syntax.Regexp) (without, before int) {
	switch re.Op {
	case syntax.OpNoMatch:
		return noReach, noReach
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, noReach
	case syntax.OpLiteral:
		without, before = 0, noReach
		for _, r := range re.Rune {
			w, b := runeReach(r, re.Flags&syntax.FoldCase != 0)
			without, before = concatReach(without, before, w, b)
		}
		return without, before
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return noReach, noReach
		}
		digits, others := false, false
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			digits = digits || lo <= '9' && hi >= '0'
			others = others || lo < '0' || hi > '9'
		}
		width := utf8Width(re.Rune[len(re.Rune)-1])
		switch {
		case !others:
			return noReach, 0
		case digits:
			return width, 0
		}
		return width, noReach
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax, 0
	case syntax.OpCapture:
		return digitReach(re.Sub[0])
	case syntax.OpStar:
		return repeatReach(re.Sub[0], 0, -1)
	case syntax.OpPlus:
		return repeatReach(re.Sub[0], 1, -1)
	case syntax.OpQuest:
		return repeatReach(re.Sub[0], 0, 1)
	case syntax.OpRepeat:
		return repeatReach(re.Sub[0], re.Min, re.Max)
	case syntax.OpConcat:
		without, before = 0, noReach
		for _, sub := range re.Sub {
			w, b := digitReach(sub)
			without, before = concatReach(without, before, w, b)
		}
		return without, before
	case syntax.OpAlternate:
		without, before = noReach, noReach
		for _, sub := range re.Sub {
			w, b := digitReach(sub)
			without, before = max(without, w), max(before, b)
		}
		return without, before
	}
	return infinite, infinite
}

// runeReach is digitReach of the one rune r (and its case-folding orbit
// if fold).
func runeReach(r rune, fold bool) (without, before int) {
	if '0' <= r && r <= '9' {
		return noReach, 0 // digits fold to nothing else
	}
	width := utf8Width(r)
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			width = max(width, utf8Width(f))
		}
	}
	return width, noReach
}

// concatReach is digitReach of a match of a (aw, ab) followed by one of
// b (bw, bb).
func concatReach(aw, ab, bw, bb int) (without, before int) {
	without, before = noReach, ab
	if aw != noReach && bw != noReach {
		without = addReach(aw, bw)
	}
	if aw != noReach && bb != noReach {
		before = max(before, addReach(aw, bb))
	}
	return without, before
}

// repeatReach is digitReach of from to most (-1: any number of) matches
// of sub.
func repeatReach(sub *syntax.Regexp, from, most int) (without, before int) {
	if most == 0 {
		return 0, noReach
	}
	w, b := digitReach(sub)
	switch {
	case w == noReach && from > 0:
		without = noReach
	case w == noReach || w == 0:
		without = 0
	case most < 0:
		without = infinite
	default:
		without = min(infinite, w*most)
	}
	switch {
	case b == noReach:
		before = noReach
	case w == noReach || w == 0:
		before = b // the first digit is in the first match that holds one
	case most < 0:
		before = infinite
	default:
		before = addReach(min(infinite, w*(most-1)), b)
	}
	return without, before
}

func addReach(a, b int) int {
	return min(infinite, a+b)
}

// utf8Width is the length of r in UTF-8, for any rune a class may hold
// (a surrogate, matched by no text, counts as three bytes).
func utf8Width(r rune) int {
	switch {
	case r < 0x80:
		return 1
	case r < 0x800:
		return 2
	case r < 0x10000:
		return 3
	}
	return utf8.UTFMax
}
