package inbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"foi/lifecycle"
	"slices"
	"strings"
	"testing"
)

// testIndex stands in for the store: campaign LXP7 sent one request to each
// of 55 trusts (LXP7-001 to LXP7-055), and a follow-up round LXP8 went to
// trusts 1 to 5. Trust NNN's FOI address is foi@trust-NNN.nhs.example, except
// trusts 46 to 49, which use NHSmail (trustNNN.foi@nhs.net). LXP7-053 to
// LXP7-055 are closed. Each request has its first letter's Message-ID and a
// chaser's, both of our shape, and a plus-address tag signed with a test key.
type testIndex struct {
	refs          map[string]string   // ref -> authority address
	open          map[string]bool     // ref -> open
	messageIDs    map[string]string   // Message-ID -> ref
	authorityRefs map[string]string   // upper-case authority reference -> ref
	lookups       map[string][]string // method -> arguments, for tests that inspect calls
}

const testPlusKey = "test-plus-key"

func newTestIndex() *testIndex {
	x := &testIndex{
		refs:       map[string]string{},
		open:       map[string]bool{},
		messageIDs: map[string]string{},
		authorityRefs: map[string]string{
			"FOI/23/0456":      "LXP7-012",
			"FOI-2108-1525161": "LXP7-021",
			"FOI 4521":         "LXP7-033",
		},
	}
	add := func(ref, addr string, open bool) {
		x.refs[ref] = addr
		x.open[ref] = open
		x.messageIDs[testMessageID(ref, "msgid")] = ref
		x.messageIDs[testMessageID(ref, "chaser")] = ref
	}
	for i := 1; i <= 55; i++ {
		add(fmt.Sprintf("LXP7-%03d", i), testAuthorityAddr(i), i < 53)
	}
	for i := 1; i <= 5; i++ {
		add(fmt.Sprintf("LXP8-%03d", i), testAuthorityAddr(i), true)
	}
	return x
}

func testAuthorityAddr(i int) string {
	if i >= 46 && i <= 49 {
		return fmt.Sprintf("trust%03d.foi@nhs.net", i)
	}
	return fmt.Sprintf("foi@trust-%03d.nhs.example", i)
}

// testMessageID is the Message-ID (without brackets) of one of our letters:
// lower-case ref, a dot, 16 hex digits, @ our domain.
func testMessageID(ref, letter string) string {
	sum := sha256.Sum256([]byte(letter + ":" + ref))
	return strings.ToLower(ref) + "." + hex.EncodeToString(sum[:8]) + "@campaign.example.org"
}

// testPlusAddress is the signed reply address of a request.
func testPlusAddress(ref string) string {
	return "campaign+" + testPlusTag(ref) + "@campaign.example.org"
}

func testPlusTag(ref string) string {
	mac := hmac.New(sha256.New, []byte(testPlusKey))
	mac.Write([]byte(strings.ToLower(ref)))
	return strings.ToLower(ref) + "-" + hex.EncodeToString(mac.Sum(nil))[:8]
}

// note records a call when the test asked for it (lookups not nil).
func (x *testIndex) note(method, arg string) {
	if x.lookups != nil {
		x.lookups[method] = append(x.lookups[method], arg)
	}
}

func (x *testIndex) RefByMessageID(id string) (string, bool) {
	x.note("RefByMessageID", id)
	ref, ok := x.messageIDs[id]
	return ref, ok
}

// RefByPlusTag verifies the tag's signature, as the store does.
func (x *testIndex) RefByPlusTag(tag string) (string, bool) {
	x.note("RefByPlusTag", tag)
	i := strings.LastIndexByte(tag, '-')
	if i < 0 {
		return "", false
	}
	ref := strings.ToUpper(tag[:i])
	if _, known := x.refs[ref]; !known || !hmac.Equal([]byte(testPlusTag(ref)), []byte(tag)) {
		return "", false
	}
	return ref, true
}

func (x *testIndex) IsRef(ref string) bool {
	x.note("IsRef", ref)
	_, ok := x.refs[ref]
	return ok
}

func (x *testIndex) IsSlug(slug string) bool {
	x.note("IsSlug", slug)
	for ref := range x.refs {
		if s, _, _ := strings.Cut(ref, "-"); s == slug {
			return true
		}
	}
	return false
}

func (x *testIndex) RefByAuthorityRef(ar string) (string, bool) {
	x.note("RefByAuthorityRef", ar)
	ref, ok := x.authorityRefs[strings.ToUpper(ar)]
	return ref, ok
}

func (x *testIndex) OpenRefsBySender(addr string) []string {
	x.note("OpenRefsBySender", addr)
	var out []string
	for _, ref := range sortedRefs(x.refs) {
		if x.open[ref] && strings.EqualFold(x.refs[ref], addr) {
			out = append(out, ref)
		}
	}
	return out
}

func (x *testIndex) OpenRefsByDomain(domain string) []string {
	x.note("OpenRefsByDomain", domain)
	var out []string
	for _, ref := range sortedRefs(x.refs) {
		if x.open[ref] && strings.EqualFold(domainOf(x.refs[ref]), domain) {
			out = append(out, ref)
		}
	}
	return out
}

func (x *testIndex) IsAuthoritySender(addr string) bool {
	x.note("IsAuthoritySender", addr)
	for _, a := range x.refs {
		if strings.EqualFold(a, addr) || strings.EqualFold(domainOf(a), domainOf(addr)) {
			return true
		}
	}
	return false
}

func sortedRefs(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// msg builds a Message for matching tests.
func msg(subject, text string) *Message {
	return &Message{Subject: subject, Text: text, From: Address{Addr: "someone@elsewhere.example"}}
}

func TestMatchRulesStrongestFirst(t *testing.T) {
	t.Parallel()
	withAll := func() *Message {
		m := msg("RE: [LXP7-003] question", "about LXP7-004\nOur ref: FOI/23/0456")
		m.From = Address{Addr: "foi@trust-006.nhs.example"}
		m.InReplyTo = []string{testMessageID("LXP7-001", "msgid")}
		m.To = []Address{{Addr: testPlusAddress("LXP7-002")}}
		return m
	}
	tests := []struct {
		name string
		edit func(m *Message)
		ref  string
		rule Rule
		low  bool
	}{
		{"in-reply-to beats everything", func(m *Message) {}, "LXP7-001", RuleInReplyTo, false},
		{"references, newest first", func(m *Message) {
			m.InReplyTo = []string{"not-ours@elsewhere.example"}
			m.References = []string{testMessageID("LXP7-009", "msgid"), testMessageID("LXP7-001", "chaser")}
		}, "LXP7-001", RuleInReplyTo, false},
		{"plus address next", func(m *Message) { m.InReplyTo = nil }, "LXP7-002", RulePlusAddress, false},
		{"plus address in Delivered-To", func(m *Message) {
			m.InReplyTo, m.To = nil, nil
			m.DeliveredTo = []string{testPlusAddress("LXP7-002")}
		}, "LXP7-002", RulePlusAddress, false},
		{"forged plus tag ignored", func(m *Message) {
			m.InReplyTo = nil
			m.To = []Address{{Addr: "campaign+lxp7-002-00000000@campaign.example.org"}}
		}, "LXP7-003", RuleSubjectRef, false},
		{"subject next", func(m *Message) { m.InReplyTo, m.To = nil, nil }, "LXP7-003", RuleSubjectRef, false},
		{"body next", func(m *Message) { m.InReplyTo, m.To, m.Subject = nil, nil, "question" }, "LXP7-004", RuleBodyRef, false},
		{"authority ref next", func(m *Message) {
			m.InReplyTo, m.To, m.Subject = nil, nil, "question"
			m.Text = "Our ref: FOI/23/0456"
		}, "LXP7-012", RuleAuthorityRef, false},
		{"sender last", func(m *Message) {
			m.InReplyTo, m.To, m.Subject, m.Text = nil, nil, "question", "hello"
		}, "LXP7-006", RuleSender, true},
		{"sender domain", func(m *Message) {
			m.InReplyTo, m.To, m.Subject, m.Text = nil, nil, "question", "hello"
			m.From.Addr = "Jane.Doe@TRUST-006.nhs.example"
		}, "LXP7-006", RuleSenderDomain, true},
		{"several refs in the subject: first, low confidence", func(m *Message) {
			m.InReplyTo, m.To, m.Subject = nil, nil, "LXP7-010 and LXP7-011"
		}, "LXP7-010", RuleSubjectRef, true},
		{"nothing", func(m *Message) {
			m.InReplyTo, m.To, m.Subject, m.Text = nil, nil, "hello", "hello"
			m.From.Addr = "x@unknown.example"
		}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := withAll()
			tt.edit(m)
			r := Match(m, newTestIndex())
			if r.Ref != tt.ref || r.Rule != tt.rule || r.LowConfidence != tt.low {
				t.Errorf("Match = %s by %q (low %v: %s), want %s by %q (low %v)", r.Ref, r.Rule, r.LowConfidence, r.Evidence, tt.ref, tt.rule, tt.low)
			}
		})
	}
}

func TestMatchSubjectVariants(t *testing.T) {
	t.Parallel()
	tests := []struct{ subject, want string }{
		{"Freedom of Information request [LXP7-004]: Band 7 LXP roles", "LXP7-004"},
		{"RE: FW: AW: SV: Antw: Freedom of Information request [lxp7-004]: roles", "LXP7-004"},
		{"Re: request LXP7 - 004", "LXP7-004"},
		{"Re: request lxp7–004 (en dash)", "LXP7-004"},
		{"Re: [LXP7-\n 004] folded inside the reference", "LXP7-004"},
		{"[LXP7-004] (your ref FOI-2108-1525161)", "LXP7-004"},
		{"FOI-2108 is shaped like ours but is not", ""},
		{"XLXP7-004 is glued to a word", ""},
		{"LXP7-1041 has a digit too many", ""},
		// As authorities rewrite them.
		{"RE: FOI LXP7-4 response", "LXP7-004"},
		{"RE: FOI LXP7 004 response", "LXP7-004"},
		{"RE: FOI LXP7004 response", "LXP7-004"},
		{"RE: FOI lxp7-0004 response", "LXP7-004"},
		{"Our reply to LXP7-004.", "LXP7-004"},
		{"Re: Freedom of Information request [LXP7\n -004]", "LXP7-004"},
		{"Re: Freedom of Information request [LXP7\n 004]", "LXP7-004"},
		{"RE: (LXP7-004), thank you", "LXP7-004"},
		// Look-alikes, dates, phone numbers and other bodies' numbers.
		{"Meeting on 2026-03-04 at 10:04", ""},
		{"Call 0161 234 5004 or 07700 900004", ""},
		{"ICO case IC-123004-A1B2 and FS50004", ""},
		{"LXP7-004.5 is a version number", ""},
		{"LXP7-004/26 is another number", ""},
		{"LXP7 04 March", ""},
		{"LXP7 00004 has too many digits after a space", ""},
		{"ALXP7004 is glued to a letter", ""},
		{"LXP7-004x is glued to a word", ""},
		{"LXP9-004 is not a campaign", ""},
	}
	for _, tt := range tests {
		m := msg(tt.subject, "")
		m.From.Addr = ""
		if r := Match(m, newTestIndex()); r.Ref != tt.want {
			t.Errorf("Match(subject %q) = %q by %s, want %q", tt.subject, r.Ref, r.Rule, tt.want)
		}
	}
	// An authority's reference is found by rule 5, never taken for ours.
	m := msg("RE: FOI-2108-1525161 response", "")
	m.From.Addr = ""
	if r := Match(m, newTestIndex()); r.Ref != "LXP7-021" || r.Rule != RuleAuthorityRef {
		t.Errorf("Match(authority ref in subject) = %q by %s, want LXP7-021 by %s", r.Ref, r.Rule, RuleAuthorityRef)
	}
}

func TestRefCandidates(t *testing.T) {
	t.Parallel()
	got := RefCandidates("see [lxp7-004], LXP7 - 005 and FOI-2108-1525161; x-12 and LXP7-004 again, lxp7-6, LXP7 0007")
	want := []string{"LXP7-004", "LXP7-005", "FOI-2108", "LXP7-006", "LXP7-007"}
	if !slices.Equal(got, want) {
		t.Errorf("RefCandidates = %v, want %v", got, want)
	}
}

func TestAuthorityRefs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []string
	}{
		{"Our ref: FOI/23/0456", []string{"FOI/23/0456"}},
		{"Our reference: FOI 4521\nYour ref: LXP7-004", []string{"FOI 4521"}},
		{"quoting reference number FOI- 2108-1525161.", []string{"FOI-2108-1525161"}},
		{"Your request (ref: FOI-2108-1525161) has been logged", []string{"FOI-2108-1525161"}},
		{"FOI Ref: 23-0456", []string{"23-0456"}},
		{"Request ID: EIR / 2026 / 77", []string{"EIR/2026/77"}},
		{"Case number: 12345.", []string{"12345"}},
		{"Your ref: LXP7-004", nil},
		{"Your reference FOI/23/0456", nil},
		{"With reference to your request of 2 March", nil},
		{"Reference: Freedom of Information request [LXP7-004]", nil},
		{"Our ref: FOI/23/0456 Your ref: LXP7-004\nOur ref: FOI/23/0456", []string{"FOI/23/0456"}},
	}
	for _, tt := range tests {
		if got := AuthorityRefs(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("AuthorityRefs(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMatchLearnsAuthorityRef(t *testing.T) {
	t.Parallel()
	m := msg("RE: Freedom of Information request [LXP7-004]", "Dear Alex\n\nYour ref: LXP7-004\nOur ref: FOI/26/0999\n")
	r := Match(m, newTestIndex())
	if r.Ref != "LXP7-004" || r.AuthorityRef != "FOI/26/0999" {
		t.Errorf("Match = %s with authority ref %q, want LXP7-004 with FOI/26/0999", r.Ref, r.AuthorityRef)
	}
	// Our own reference after a label is never taken for theirs.
	m = msg("Reference: LXP7-004", "Ref: LXP7-004")
	if r := Match(m, newTestIndex()); r.AuthorityRef != "" {
		t.Errorf("AuthorityRef = %q, want none (LXP7-004 is ours)", r.AuthorityRef)
	}
}

func TestSuggestions(t *testing.T) {
	t.Parallel()
	idx := newTestIndex()
	// NHSmail: four open requests share nhs.net.
	m := msg("Query", "Hello")
	m.From.Addr = "someone.else@nhs.net"
	r := Match(m, idx)
	if r.Ref != "" || len(r.Suggestions) != 4 || r.Suggestions[0].Ref != "LXP7-046" {
		t.Errorf("Match = %q with suggestions %v, want none and LXP7-046..049", r.Ref, r.Suggestions)
	}
	if take, why := TakeUnmatched(m, r, idx); !take {
		t.Errorf("TakeUnmatched = false (%s), want true for a known authority domain", why)
	}

	// A threading header shaped like our Message-ID but not recorded.
	m = msg("Re: hello", "")
	m.From.Addr = "x@unknown.example"
	m.InReplyTo = []string{"lxp7-020.ffffffffffffffff@campaign.example.org"}
	r = Match(m, idx)
	if r.Ref != "" || len(r.Suggestions) != 1 || r.Suggestions[0].Ref != "LXP7-020" {
		t.Errorf("Match = %q with suggestions %v, want LXP7-020 suggested", r.Ref, r.Suggestions)
	}
	if take, _ := TakeUnmatched(m, r, idx); !take {
		t.Error("TakeUnmatched = false, want true when a request is suggested")
	}
}

func TestTakeUnmatched(t *testing.T) {
	t.Parallel()
	idx := newTestIndex()
	tests := []struct {
		name string
		m    *Message
		want bool
	}{
		{"stranger", &Message{From: Address{Addr: "news@healthnews.example"}}, false},
		{"no sender", &Message{}, false},
		{"known address", &Message{From: Address{Addr: "FOI@trust-055.nhs.example"}}, true},
		{"known domain", &Message{From: Address{Addr: "ceo@trust-055.nhs.example"}}, true},
		{"bounce for an authority", &Message{From: Address{Addr: "mailer-daemon@provider.example"},
			Header: map[string][]string{"X-Failed-Recipients": {"foi@trust-010.nhs.example"}}}, true},
	}
	for _, tt := range tests {
		r := Match(tt.m, idx)
		if got, why := TakeUnmatched(tt.m, r, idx); got != tt.want {
			t.Errorf("TakeUnmatched(%s) = %v (%s), want %v", tt.name, got, why, tt.want)
		}
	}
}

func TestMatchBoundsLookups(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "AB%d-%03d ", i, i%1000)
	}
	m := msg(b.String(), b.String())
	for i := range 20000 {
		m.References = append(m.References, fmt.Sprintf("id%d@x.example", i))
		m.To = append(m.To, Address{Addr: fmt.Sprintf("campaign+tag%d@campaign.example.org", i)})
	}
	idx := newTestIndex()
	idx.lookups = map[string][]string{}
	Match(m, idx)
	for method, calls := range idx.lookups {
		if n := len(calls); n > 4*maxLookups {
			t.Errorf("Match made %d %s look-ups for a hostile message, want at most %d", n, method, 4*maxLookups)
		}
	}
}

func TestNilInputs(t *testing.T) {
	t.Parallel()
	if r := Match(nil, newTestIndex()); r.Ref != "" {
		t.Errorf("Match(nil) = %+v", r)
	}
	if r := Match(&Message{}, nil); r.Ref != "" {
		t.Errorf("Match(idx nil) = %+v", r)
	}
	if c := Classify(nil); c.Kind != lifecycle.KindUnknown {
		t.Errorf("Classify(nil) = %+v", c)
	}
	if take, _ := TakeUnmatched(nil, MatchResult{}, newTestIndex()); take {
		t.Error("TakeUnmatched(nil) = true")
	}
}

// TestMatchForeignRefBlocksSenderRule: trust 6 has one open request
// (LXP7-006), so the sender rule would file its mail there; a message that
// names a reference not ours (another campaign's in brackets, or one of our
// slugs with a number we never used) is only suggested for it. An
// authority's own unbracketed reference does not count as one.
func TestMatchForeignRefBlocksSenderRule(t *testing.T) {
	t.Parallel()
	const trust6 = "foi@trust-006.nhs.example"
	tests := []struct {
		subject, text string
		from          string
		wantRef       string
		wantRule      Rule
	}{
		{"RE: Freedom of Information request [CRA-004]: survey", "Please see attached.", trust6, "", ""},
		{"FW: [cra–004] response", "", trust6, "", ""},
		{"RE: request LXP7-999", "", trust6, "", ""},
		{"RE: your request", "As requested under LXP7-999, attached.", trust6, "", ""},
		{"[CRA-004] response", "", "records@trust-006.nhs.example", "", ""}, // the domain rule too
		{"RE: request FOI-7777", "Our ref: FOI-7777", trust6, "LXP7-006", RuleSender},
		{"RE: [EXTERNAL] your request", "", trust6, "LXP7-006", RuleSender},
		{"RE: [CRA-004] and [LXP7-010]", "", trust6, "LXP7-010", RuleSubjectRef},
	}
	for _, tt := range tests {
		m := msg(tt.subject, tt.text)
		m.From.Addr = tt.from
		r := Match(m, newTestIndex())
		if r.Ref != tt.wantRef || r.Rule != tt.wantRule {
			t.Errorf("Match(%q, %q) = %q by %q, want %q by %q", tt.subject, tt.text, r.Ref, r.Rule, tt.wantRef, tt.wantRule)
		}
		if tt.wantRef == "" && (len(r.Suggestions) != 1 || r.Suggestions[0].Ref != "LXP7-006") {
			t.Errorf("Match(%q, %q) suggestions = %v, want LXP7-006", tt.subject, tt.text, r.Suggestions)
		}
	}
}
