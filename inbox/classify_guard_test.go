package inbox

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode"
)

// guarded lists every guarded expression of the package, by name.
func guarded() map[string]guardedRe {
	out := map[string]guardedRe{
		"sectionList": sectionList, "regulation": regulation,
		"unmonitoredBody": unmonitoredGuard, "reviewRightsMark": reviewRightsGuard, "absenceBody": absenceGuard,
		"bounceSubject": bounceSubject, "bounceBody": bounceBody, "oooSubject": oooSubject, "gatewaySender": gatewaySender, "gatewaySubject": gatewaySubject,
	}
	for name, ps := range map[string][]phrase{"letter": letterPhrases, "identity": identityPhrases, "notHeld": notHeldPhrases,
		"cost": costPhrases, "partial": partialPhrases, "refused": refusedPhrases, "subject": subjectPhrases} {
		for i, p := range ps {
			out[name+"#"+string(rune('a'+i%26))+string(rune('0'+i/26))] = p.guardedRe
		}
	}
	return out
}

// sampleRunes are the runes a generated string draws on where the
// expression allows many: letters of both cases, digits, punctuation, the
// white space of \s and some that is not, and runes that fold to ASCII
// letters (ſ, the Kelvin sign).
var sampleRunes = []rune("aAbBeEkKsSzZ09 \t\n\r\f\v.,;:'\"()[]<>@-+£é\u00a0\u017f\u212a\ufffd")

// generate writes a random string that re matches (ignoring its
// empty-width assertions, which the caller checks by matching).
func generate(r *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	pick := func(ranges []rune) rune {
		var in []rune
		for _, c := range sampleRunes {
			for i := 0; i+1 < len(ranges); i += 2 {
				if ranges[i] <= c && c <= ranges[i+1] {
					in = append(in, c)
				}
			}
		}
		if len(in) > 0 && r.IntN(4) > 0 {
			return in[r.IntN(len(in))]
		}
		i := 2 * r.IntN(len(ranges)/2)
		lo, hi := ranges[i], min(ranges[i+1], ranges[i]+200)
		return lo + rune(r.IntN(int(hi-lo)+1))
	}
	reps := func(least, most int) int {
		if most < 0 || most > least+3 {
			most = least + 3
		}
		return least + r.IntN(most-least+1)
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				orbit := []rune{c}
				for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
					orbit = append(orbit, f)
				}
				c = orbit[r.IntN(len(orbit))]
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		if len(re.Rune) > 0 {
			b.WriteRune(pick(re.Rune))
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune(pick([]rune{'a', 'z', ' ', ' ', '.', '.'}))
	case syntax.OpCapture:
		generate(r, re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		least, most := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			least = 1
		case syntax.OpQuest:
			most = 1
		case syntax.OpRepeat:
			least, most = re.Min, re.Max
		}
		for n := reps(least, most); n > 0; n-- {
			generate(r, re.Sub[0], b)
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			generate(r, sub, b)
		}
	case syntax.OpAlternate:
		generate(r, re.Sub[r.IntN(len(re.Sub))], b)
	}
}

// TestGuardsPassEveryMatch: for every guarded expression, strings made
// from the expression itself (every alternative, repetition, case variant
// and kind of white space), set in random surroundings, pass the guard
// whenever the expression matches them. A guard that failed one would
// change a classification.
func TestGuardsPassEveryMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"", " ", "\n\n", "Dear Sir, ", "the", "s", "x", "1", "(", ". ", "\t", "É", "ſ"}
	for name, g := range guarded() {
		tree, err := syntax.Parse(g.re.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		anchored := strings.HasPrefix(strings.TrimPrefix(g.re.String(), "(?i)"), "^")
		matched := 0
		for i := 0; i < 3000; i++ {
			var b strings.Builder
			if !anchored { // an expression anchored at the start gets no surroundings before
				b.WriteString(words[r.IntN(len(words))])
			}
			generate(r, tree, &b)
			b.WriteString(words[r.IntN(len(words))])
			s := b.String()
			if r.IntN(3) == 0 {
				s = strings.ToLower(s)
			}
			if !g.re.MatchString(s) {
				continue
			}
			matched++
			if !g.g.pass(scanLits(s)) {
				t.Fatalf("%s: guard %q fails %q, which %s matches", name, guardOf(g), s, g.re)
			}
		}
		if matched < 300 {
			t.Errorf("%s: only %d of 3000 strings made from it matched %s", name, matched, g.re)
		}
	}
}

func guardOf(g guardedRe) []string {
	var out []string
	for _, id := range g.g.ids {
		out = append(out, guardLits.lits[id])
	}
	return out
}

// TestGuardsSkip: the guards do let expressions be skipped: a letter
// without the words of a phrase skips it.
func TestGuardsSkip(t *testing.T) {
	seen := scanLits("")
	if guardLits.off || seen == nil {
		t.Fatalf("the guards' automaton is off: %d literals", len(guardLits.lits))
	}
	seen = scanLits("the trust did not apply for the funding; an equality impact assessment was not carried out.")
	skipped, total := 0, 0
	for _, g := range guarded() {
		total++
		if !g.g.pass(seen) {
			skipped++
		}
	}
	if skipped < total*9/10 {
		t.Errorf("%d of %d expressions skipped on a letter with none of their words, want 90%%", skipped, total)
	}
	for _, tt := range []struct {
		text string
		re   guardedRe
	}{
		{"Section\t40(2)\nof the Act", sectionList},
		{"REGULATION 12(4)(b)", regulation},
		{"This MAILBOX is no longer monitored", unmonitoredGuard},
		{"If you are di\u017f\u017fatisfied", reviewRightsGuard},
	} {
		if !tt.re.re.MatchString(tt.text) || !tt.re.g.pass(scanLits(tt.text)) {
			t.Errorf("%.40s: matches %q %v, guard passes %v", tt.re.re, tt.text, tt.re.re.MatchString(tt.text), tt.re.g.pass(scanLits(tt.text)))
		}
	}
}

// TestClassifyGuardsSameResult compares ClassifyWith with and without the
// guards over the corpus, the bench's replies with real files, and those
// replies with phrases made from the expressions written into their text
// and their letters: every result must be the same.
func TestClassifyGuardsSameResult(t *testing.T) {
	none := func(string) seenLits { return nil }
	in := classifyInputs(t)
	check := func(name string, m *Message, letters []string) {
		t.Helper()
		want := classifyWith(m, letters, none)
		got := classifyWith(m, letters, scanLits)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: with guards %+v\nwithout %+v", name, got, want)
		}
	}
	for _, c := range in {
		check(c.name, c.m, c.letters)
	}
	var trees []*syntax.Regexp
	for _, g := range guarded() {
		tree, _ := syntax.Parse(g.re.String(), syntax.Perl)
		trees = append(trees, tree)
	}
	for _, re := range []*regexp.Regexp{absenceBody, reviewWithin, gatewayBody, gatewayName} {
		tree, _ := syntax.Parse(re.String(), syntax.Perl)
		trees = append(trees, tree)
	}
	r := rand.New(rand.NewPCG(3, 4))
	phrase := func() string {
		var b strings.Builder
		for n := r.IntN(4); n >= 0; n-- {
			b.WriteString(" ")
			generate(r, trees[r.IntN(len(trees))], &b)
			b.WriteString([]string{". ", "\n\n", " ", ", "}[r.IntN(4)])
		}
		return b.String()
	}
	for i := 0; i < 400; i++ {
		c := in[r.IntN(len(in))]
		m := *c.m
		m.Text = phrase() + m.Text + phrase()
		m.Subject = m.Subject + phrase()
		letters := append([]string{phrase()}, c.letters...)
		for j := range letters {
			if k := len(letters[j]); k > 0 && r.IntN(2) == 0 {
				cut := r.IntN(k)
				letters[j] = strings.ToValidUTF8(letters[j][:cut]+phrase()+letters[j][cut:], "")
			}
		}
		check(c.name+" with phrases", &m, letters)
		check(c.name+" with phrases, text only", &m, nil)
	}
}

// FuzzClassifyGuards: on any text, an expression that matches passes its
// guard, and ClassifyWith gives the same with and without the guards,
// the text taken as a body and as an attached letter.
func FuzzClassifyGuards(f *testing.F) {
	for _, c := range classifyInputs(f) {
		f.Add(c.m.Text)
		for _, l := range c.letters {
			f.Add(l[:min(len(l), 2000)])
		}
	}
	gs := guarded()
	none := func(string) seenLits { return nil }
	f.Fuzz(func(t *testing.T, text string) {
		seen := scanLits(text)
		for name, g := range gs {
			if g.re.MatchString(text) && !g.g.pass(seen) {
				t.Fatalf("%s: guard %q fails %q, which %s matches", name, guardOf(g), text, g.re)
			}
		}
		m := &Message{Subject: "RE: request", Text: text, From: Address{Addr: "foi@trust.test"},
			Attachments: []Attachment{{Name: "a.pdf", ContentType: "application/pdf"}}}
		for _, letters := range [][]string{nil, {text}} {
			want := classifyWith(m, letters, none)
			if got := classifyWith(m, letters, scanLits); !reflect.DeepEqual(got, want) {
				t.Fatalf("with guards %+v\nwithout %+v", got, want)
			}
		}
		m = &Message{Subject: text, Text: "Please find our response attached.", Attachments: m.Attachments}
		want := classifyWith(m, []string{text}, none)
		if got := classifyWith(m, []string{text}, scanLits); !reflect.DeepEqual(got, want) {
			t.Fatalf("subject: with guards %+v\nwithout %+v", got, want)
		}
	})
}
