package inbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"foi/lifecycle"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// corpusCase says what each message in testdata/corpus must come to. It is
// written by hand, apart from the golden files, so that regenerating those
// cannot hide a regression in matching or classification.
type corpusCase struct {
	file    string
	ref     string // "" when the message is deliberately unmatched
	rule    Rule
	low     bool // low-confidence match
	take    bool // TakeUnmatched
	kind    lifecycle.Kind
	outcome string            // for substantive responses
	files   map[string]string // attachment display name -> file in testdata/files
	flags   []string          // flag codes that must be present
}

var corpus = []corpusCase{
	{file: "01-outlook-ack-qp.eml", ref: "LXP7-001", rule: RuleInReplyTo, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "02-nhsmail-ack-base64.eml", ref: "LXP7-002", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "03-gmail-clarification.eml", ref: "LXP7-006", rule: RuleInReplyTo, take: true, kind: lifecycle.KindClarification},
	{file: "04-outlook-winmail-dat.eml", ref: "LXP7-004", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"winmail.dat": "winmail.dat", "tnef-summary.csv": "tnef-summary.csv", "response.pdf": "response.pdf"}},
	{file: "05-lotus-notes-forward.eml", ref: "LXP7-005", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "06-groupwise-ref-in-quote.eml", ref: "LXP7-007", rule: RuleBodyRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeNotHeld},
	{file: "07-dropped-subject-extension.eml", ref: "LXP7-008", rule: RuleInReplyTo, take: true, kind: lifecycle.KindExtension},
	{file: "08-authority-ref-only.eml", ref: "LXP7-012", rule: RuleAuthorityRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeRefused},
	{file: "09-ref-in-quoted-body.eml", ref: "LXP7-009", rule: RuleBodyRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful},
	{file: "10-html-only-alternative.eml", ref: "LXP7-010", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful},
	{file: "11-rfc2231-filenames.eml", ref: "LXP7-011", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{
			"Réponse – FOI LXP7-011.pdf":                                 "response.pdf",
			"Job description – Band 7 Lived Experience Practitioner.pdf": "job-description.pdf",
		}},
	{file: "12-latin1-filenames.eml", ref: "LXP7-013", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{
			"Peer support costs £ 2025.csv":                   "costs-latin1.csv",
			"Ymateb i'r cais – Bwrdd Iechyd.pdf":              "response.pdf",
			"Swydd-ddisgrifiad Ymarferydd â Phrofiad Byw.pdf": "job-description.pdf",
		}},
	{file: "13-pdf-no-disposition.eml", ref: "LXP7-016", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"FOI response LXP7-016.pdf": "response.pdf"}},
	{file: "14-forwarded-eml.eml", ref: "LXP7-014", rule: RuleBodyRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"LXP posts.pdf": "lxp-posts.pdf"}},
	{file: "15-zip-attachment.eml", ref: "LXP7-015", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"FOI 24-0315 documents.zip": "documents.zip"}},
	{file: "16-missing-boundary.eml", ref: "LXP7-017", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAcknowledgement, flags: []string{"boundary-missing"}},
	{file: "17-missing-date.eml", ref: "LXP7-017", rule: RuleInReplyTo, take: true, kind: lifecycle.KindAcknowledgement, flags: []string{"date-missing"}},
	{file: "18-postfix-bounce-dsn.eml", ref: "LXP7-018", rule: RuleReturnedMessage, take: true, kind: lifecycle.KindBounce},
	{file: "19-exchange-bounce-dsn.eml", ref: "LXP7-019", rule: RuleInReplyTo, take: true, kind: lifecycle.KindBounce},
	{file: "20-ooo-exchange-automatic-reply.eml", ref: "LXP7-020", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAutoReply},
	{file: "21-ooo-gmail-vacation.eml", ref: "LXP7-027", rule: RuleInReplyTo, take: true, kind: lifecycle.KindAutoReply},
	{file: "22-ooo-redirect.eml", ref: "LXP7-022", rule: RuleSubjectRef, take: true, kind: lifecycle.KindRedirect},
	{file: "23-ooo-abwesenheitsnotiz.eml", ref: "LXP7-023", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAutoReply},
	{file: "24-ooo-precedence-bulk-sender.eml", ref: "LXP7-024", rule: RuleSender, low: true, take: true, kind: lifecycle.KindAutoReply},
	{file: "25-ooo-lotus-autoreply.eml", ref: "LXP7-025", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAutoReply},
	{file: "26-casework-ack-auto-generated.eml", ref: "LXP7-021", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "27-clarification-s1-3.eml", ref: "LXP7-031", rule: RuleInReplyTo, take: true, kind: lifecycle.KindClarification},
	{file: "28-extension-pit.eml", ref: "LXP7-028", rule: RuleSubjectRef, take: true, kind: lifecycle.KindExtension},
	{file: "29-fee-notice.eml", ref: "LXP7-029", rule: RuleSubjectRef, take: true, kind: lifecycle.KindFeeNotice},
	{file: "30-refusal-s12.eml", ref: "LXP7-030", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeRefused},
	{file: "31-refusal-s40.eml", ref: "LXP7-035", rule: RuleInReplyTo, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeRefused},
	{file: "32-not-held.eml", ref: "LXP7-032", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeNotHeld},
	{file: "33-success-spreadsheet.eml", ref: "LXP7-033", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"LXP roles.xlsx": "lxp-roles.xlsx"}},
	{file: "34-partial.eml", ref: "LXP7-034", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomePartial,
		files: map[string]string{"lxp-roles.csv": "lxp-roles.csv"}},
	{file: "35-plus-addressed.eml", ref: "LXP7-035", rule: RulePlusAddress, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"lxp-roles.csv": "lxp-roles.csv"}},
	{file: "36-sender-exact.eml", ref: "LXP7-036", rule: RuleSender, low: true, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful},
	{file: "37-sender-domain.eml", ref: "LXP7-037", rule: RuleSenderDomain, low: true, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "38-newsletter.eml", ref: "", take: false, kind: lifecycle.KindUnknown},
	{file: "39-authority-no-ref.eml", ref: "", take: true, kind: lifecycle.KindClarification},
	{file: "40-exim-bounce-xfailed.eml", ref: "LXP7-040", rule: RuleInReplyTo, take: true, kind: lifecycle.KindBounce},
	{file: "41-html-single-part.eml", ref: "LXP7-041", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "42-latin1-qp-body.eml", ref: "LXP7-042", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful},
	{file: "43-outlook-inline-image.eml", ref: "LXP7-043", rule: RuleInReplyTo, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"image001.png": "logo.png", "FOI 043 response.pdf": "response.pdf"}},
	{file: "44-followup-round.eml", ref: "LXP8-004", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful},
	{file: "45-postfix-delay-dsn.eml", ref: "LXP7-045", rule: RuleReturnedMessage, take: true, kind: lifecycle.KindBounce},
	{file: "46-mangled-folded-subject.eml", ref: "LXP7-046", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAcknowledgement},
	{file: "47-encoded-subject-split.eml", ref: "LXP7-047", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"response.pdf": "response.pdf"}},
	{file: "48-read-receipt.eml", ref: "LXP7-048", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAutoReply},

	// Round 2 (issue 13).
	{file: "49-uuencoded-body.eml", ref: "LXP7-049", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"job-description.pdf": "job-description.pdf", "LXP roles.csv": "lxp-roles.csv"}},
	{file: "50-uuencoded-damaged.eml", ref: "LXP7-050", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"lxp-roles.csv": "lxp-roles.csv"}, flags: []string{"uuencode-malformed"}},
	{file: "51-outlook-msg-attachment.eml", ref: "LXP7-051", rule: RuleBodyRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"RE Freedom of Information request LXP7-051.msg": "reply.msg", "FOI LXP7-051 response.pdf": "response.pdf", "staffing-large.csv": "staffing-large.csv"}},
	// A bounce of a colleague's forward that quotes our reference: not a
	// delivery failure of our letter, listed for a look.
	{file: "52-bounce-quotes-other-message.eml", ref: "", take: true, kind: lifecycle.KindBounce},
	{file: "53-webshield-bounce.eml", ref: "LXP7-041", rule: RuleReturnedMessage, take: true, kind: lifecycle.KindBounce},
	{file: "54-gateway-dsn-returned-headers.eml", ref: "LXP7-039", rule: RuleReturnedMessage, take: true, kind: lifecycle.KindBounce},
	{file: "55-messagelabs-ooo.eml", ref: "LXP7-038", rule: RuleSubjectRef, take: true, kind: lifecycle.KindAutoReply},
	{file: "56-empty-return-path-redirect.eml", ref: "LXP7-026", rule: RuleSubjectRef, take: true, kind: lifecycle.KindRedirect},
	{file: "57-identity-challenge.eml", ref: "LXP7-003", rule: RuleInReplyTo, take: true, kind: lifecycle.KindIdentity},
	{file: "58-review-rights-success.eml", ref: "LXP7-052", rule: RuleInReplyTo, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful},
	{file: "59-rfc2047-in-rfc2231.eml", ref: "LXP7-006", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"Müller_Antwort_LXP7-006_vom_5._März_2026.pdf": "response.pdf", "Réponse complète.pdf": "job-description.pdf"}},
	// Without the attached letter's text (Classify) it looks answered; with
	// it (ClassifyWith, TestClassifyFromAttachedLetter) it is not held.
	{file: "60-attached-letter-only.eml", ref: "LXP7-007", rule: RuleSubjectRef, take: true, kind: lifecycle.KindSubstantive, outcome: OutcomeSuccessful,
		files: map[string]string{"FOI LXP7-007 response letter.pdf": "not-held-letter.pdf"}},
}

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
	if err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	return raw
}

func parseCorpus(t testing.TB, name string) *Message {
	t.Helper()
	m, err := Parse(readCorpus(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

// TestCorpusCoverage checks that the table and the corpus name the same files.
func TestCorpusCoverage(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, inTable []string
	for _, p := range paths {
		onDisk = append(onDisk, filepath.Base(p))
	}
	for _, c := range corpus {
		inTable = append(inTable, c.file)
	}
	slices.Sort(inTable)
	if !slices.Equal(onDisk, inTable) {
		t.Errorf("corpus files %v\ntable entries %v", onDisk, inTable)
	}
	if len(onDisk) < 40 {
		t.Errorf("corpus has %d messages, want at least 40", len(onDisk))
	}
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	for _, c := range corpus {
		t.Run(strings.TrimSuffix(c.file, ".eml"), func(t *testing.T) {
			t.Parallel()
			m := parseCorpus(t, c.file)
			idx := newTestIndex()
			r := Match(m, idx)
			if r.Ref != c.ref || r.Rule != c.rule || r.LowConfidence != c.low {
				t.Errorf("Match = %s by %q (low %v, %s), want %s by %q (low %v)", r.Ref, r.Rule, r.LowConfidence, r.Evidence, c.ref, c.rule, c.low)
			}
			if take, why := TakeUnmatched(m, r, idx); take != c.take {
				t.Errorf("TakeUnmatched = %v (%s), want %v", take, why, c.take)
			}
			cl := Classify(m)
			if cl.Kind != c.kind || cl.Outcome != c.outcome {
				t.Errorf("Classify = %s/%q %q, want %s/%q", cl.Kind, cl.Outcome, cl.Evidence, c.kind, c.outcome)
			}
			for _, code := range c.flags {
				if !m.HasFlag(code) {
					t.Errorf("flags %v, want %s among them", m.Flags, code)
				}
			}
			checkFiles(t, m, c.files)
			checkInvariants(t, m)
			checkGolden(t, c.file, m, r, cl, idx)
		})
	}
}

// checkFiles compares each named attachment with the original file it was
// made from.
func checkFiles(t *testing.T, m *Message, want map[string]string) {
	t.Helper()
	for name, file := range want {
		orig, err := os.ReadFile(filepath.Join("testdata", "files", file))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(orig)
		i := slices.IndexFunc(m.Attachments, func(a Attachment) bool { return a.Name == name })
		if i < 0 {
			t.Errorf("no attachment named %q among %v", name, attachmentNames(m))
			continue
		}
		a := m.Attachments[i]
		if a.SHA256 != hex.EncodeToString(sum[:]) || a.Size != len(orig) {
			t.Errorf("attachment %q: %d bytes, sha256 %s; want %s: %d bytes, sha256 %x", name, a.Size, a.SHA256, file, len(orig), sum)
		}
	}
}

func attachmentNames(m *Message) []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Name)
	}
	return out
}

// checkInvariants checks what must hold for any parsed message, whatever its
// input; the fuzz target uses it too.
func checkInvariants(t testing.TB, m *Message) {
	t.Helper()
	if m == nil {
		t.Fatal("Parse returned a nil Message")
	}
	for i, a := range m.Attachments {
		if a.Index != i {
			t.Errorf("attachment %d has Index %d", i, a.Index)
		}
		if a.Parent >= i || a.Parent < -1 {
			t.Errorf("attachment %d has Parent %d", i, a.Parent)
		}
		if a.Parent >= 0 {
			if p := m.Attachments[a.Parent]; p.Source != SourceRFC822 && !isTNEF(p.ContentType, p.Name) && !isMSG(p.ContentType, p.Name, p.Data) {
				ps := p.Source
				t.Errorf("attachment %d has parent %d of source %s", i, a.Parent, ps)
			}
		}
		if a.Size != len(a.Data) {
			t.Errorf("attachment %d: Size %d, %d bytes", i, a.Size, len(a.Data))
		}
		if sum := sha256.Sum256(a.Data); a.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("attachment %d: wrong SHA256", i)
		}
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\") || a.Name == "." || a.Name == ".." {
			t.Errorf("attachment %d: unsafe name %q", i, a.Name)
		}
		for _, r := range a.Name {
			if unicode.IsControl(r) || isBidiControl(r) {
				t.Errorf("attachment %d: name %q has control character %U", i, a.Name, r)
			}
		}
		switch a.Source {
		case SourceAttachment, SourceInline, SourceOther, SourceRFC822, SourceTNEF, SourceUUEncode, SourceMSG:
		default:
			t.Errorf("attachment %d: source %q", i, a.Source)
		}
	}
	for _, s := range []string{m.Subject, m.From.Name} {
		if strings.ContainsFunc(s, unicode.IsControl) {
			t.Errorf("control character in %q", s)
		}
	}
	if len(m.Flags) > maxFlags {
		t.Errorf("%d flags", len(m.Flags))
	}
}

// The golden files record everything a corpus message parses, matches and
// classifies to.

type golden struct {
	MessageID      string             `json:"message_id"`
	InReplyTo      []string           `json:"in_reply_to"`
	References     []string           `json:"references"`
	From           Address            `json:"from"`
	To             []Address          `json:"to"`
	Cc             []Address          `json:"cc"`
	DeliveredTo    []string           `json:"delivered_to"`
	OriginalTo     []string           `json:"original_to"`
	Subject        string             `json:"subject"`
	Date           string             `json:"date"`
	DateRaw        string             `json:"date_raw"`
	TextFromHTML   bool               `json:"text_from_html"`
	TextSHA256     string             `json:"text_sha256"`
	TextExcerpt    string             `json:"text_excerpt"`
	Attachments    []goldenAttachment `json:"attachments"`
	Flags          []Flag             `json:"flags"`
	Match          MatchResult        `json:"match"`
	Take           bool               `json:"take"`
	TakeWhy        string             `json:"take_why"`
	Classification Classification     `json:"classification"`
}

type goldenAttachment struct {
	Index       int            `json:"index"`
	Parent      int            `json:"parent"`
	Source      Source         `json:"source"`
	PartID      string         `json:"part_id"`
	Name        string         `json:"name"`
	ContentType string         `json:"content_type"`
	Size        int            `json:"size"`
	SHA256      string         `json:"sha256"`
	Embedded    *goldenMessage `json:"embedded,omitempty"`
}

type goldenMessage struct {
	MessageID string  `json:"message_id"`
	From      Address `json:"from"`
	Subject   string  `json:"subject"`
	Date      string  `json:"date"`
	Flags     []Flag  `json:"flags"`
}

func goldenOf(m *Message, r MatchResult, c Classification, idx Index) golden {
	take, why := TakeUnmatched(m, r, idx)
	sum := sha256.Sum256([]byte(m.Text))
	g := golden{
		MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References,
		From: m.From, To: m.To, Cc: m.Cc, DeliveredTo: m.DeliveredTo, OriginalTo: m.OriginalTo,
		Subject: m.Subject, Date: goldenDate(m.Date), DateRaw: m.DateRaw,
		TextFromHTML: m.TextFromHTML, TextSHA256: hex.EncodeToString(sum[:]), TextExcerpt: excerpt(m.Text, 400),
		Flags: m.Flags, Match: r, Take: take, TakeWhy: why, Classification: c,
	}
	for _, a := range m.Attachments {
		ga := goldenAttachment{
			Index: a.Index, Parent: a.Parent, Source: a.Source, PartID: a.PartID, Name: a.Name,
			ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
		}
		if a.Message != nil {
			ga.Embedded = &goldenMessage{
				MessageID: a.Message.MessageID, From: a.Message.From, Subject: a.Message.Subject,
				Date: goldenDate(a.Message.Date), Flags: a.Message.Flags,
			}
		}
		g.Attachments = append(g.Attachments, ga)
	}
	return g
}

func goldenDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func checkGolden(t *testing.T, file string, m *Message, r MatchResult, c Classification, idx Index) {
	t.Helper()
	got, err := json.MarshalIndent(goldenOf(m, r, c, idx), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", strings.TrimSuffix(file, ".eml")+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the message parses to now:\n%s\n(run go test ./inbox -run TestCorpus -update to accept)", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the lines that differ, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)) && b.Len() < 4000; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  golden: %s\n  now:    %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

func TestTNEFInnerFilesExtracted(t *testing.T) {
	t.Parallel()
	m := parseCorpus(t, "04-outlook-winmail-dat.eml")
	if len(m.Attachments) != 3 {
		t.Fatalf("attachments %v, want winmail.dat and its two files", attachmentNames(m))
	}
	dat := m.Attachments[0]
	if dat.Name != "winmail.dat" || dat.Source != SourceAttachment {
		t.Errorf("first attachment %q from %s, want winmail.dat kept as an attachment", dat.Name, dat.Source)
	}
	for _, a := range m.Attachments[1:] {
		if a.Source != SourceTNEF || a.Parent != dat.Index {
			t.Errorf("%q: source %s parent %d, want tnef inside %d", a.Name, a.Source, a.Parent, dat.Index)
		}
	}
	if got := m.Attachments[1].ContentType; got != "text/csv" {
		t.Errorf("tnef-summary.csv content type %q, want text/csv", got)
	}
}

func TestEmbeddedMessageKeptWholeAndListed(t *testing.T) {
	t.Parallel()
	m := parseCorpus(t, "14-forwarded-eml.eml")
	if len(m.Attachments) != 2 {
		t.Fatalf("attachments %v, want the .eml and its PDF", attachmentNames(m))
	}
	eml, pdf := m.Attachments[0], m.Attachments[1]
	if eml.Source != SourceRFC822 || !strings.HasSuffix(eml.Name, ".eml") || eml.Message == nil {
		t.Fatalf("first attachment %q source %s, want an embedded .eml", eml.Name, eml.Source)
	}
	if !bytes.HasPrefix(eml.Data, []byte("From: Workforce Information")) {
		t.Errorf(".eml data starts %q, want the whole embedded message", eml.Data[:min(40, len(eml.Data))])
	}
	if eml.Message.Subject != "RE: Freedom of Information request [LXP7-014]: Band 7 LXP roles" {
		t.Errorf("embedded subject %q", eml.Message.Subject)
	}
	if pdf.Parent != eml.Index || pdf.Name != "LXP posts.pdf" || pdf.PartID != "2/2" {
		t.Errorf("pdf %q parent %d part %s, want LXP posts.pdf inside %d at 2/2", pdf.Name, pdf.Parent, pdf.PartID, eml.Index)
	}
}

func TestNestedMessagesAreBounded(t *testing.T) {
	t.Parallel()
	msg := "From: a@b.example\r\nSubject: innermost\r\n\r\nhello\r\n"
	for i := range maxNesting + 3 {
		msg = fmt.Sprintf("From: a@b.example\r\nSubject: level %d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b%d\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--b%d--\r\n", i, i, i, i, msg, i)
	}
	m, err := Parse([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if !m.HasFlag("nesting-too-deep") {
		t.Errorf("flags %v, want nesting-too-deep", m.Flags)
	}
	checkInvariants(t, m)
	if n := len(m.Attachments); n != maxNesting {
		t.Errorf("%d attachments, want %d (one .eml per level parsed)", n, maxNesting)
	}
}

func TestParseDamagedInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		raw     string
		notMail bool
		flag    string
	}{
		{"empty", "", true, "empty"},
		{"blank", "\r\n\r\n", true, "empty"},
		{"binary", "\x00\x01\x02\xff\xfe binary junk without a header", true, ""},
		{"header only", "From: a@b.example\r\nSubject: hi\r\n", false, "date-missing"},
		{"bad date", "From: a@b.example\r\nDate: the day after tomorrow\r\n\r\nx", false, "date-invalid"},
		{"no from", "Subject: hi\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nx", false, "from-missing"},
		{"multipart without parts", "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\nno parts here", false, ""},
		{"bad base64", "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--x--\r\n", false, ""},
		{"bad charset", "From: a@b.example\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nhello", false, "charset-conversion"},
		{"mbox line", "From MAILER-DAEMON Mon Mar  2 10:00:00 2026\r\nFrom: a@b.example\r\nSubject: mbox\r\n\r\nhello", false, ""},
		{"tnef too short", "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n\r\nab\r\n--x--\r\n", false, "tnef-malformed"},
		{"tnef wrong signature", "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/octet-stream; name=WINMAIL.DAT\r\n\r\nnot a tnef stream at all\r\n--x--\r\n", false, "tnef-malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tt.raw))
			if m == nil {
				t.Fatal("Parse returned nil")
			}
			if (err != nil) != tt.notMail {
				t.Errorf("Parse error %v, want error: %v", err, tt.notMail)
			}
			if tt.flag != "" && !m.HasFlag(tt.flag) {
				t.Errorf("flags %v, want %s", m.Flags, tt.flag)
			}
			checkInvariants(t, m)
			Match(m, newTestIndex())
			Classify(m)
		})
	}
}

func TestParseHeader(t *testing.T) {
	t.Parallel()
	raw := readCorpus(t, "33-success-spreadsheet.eml")
	full := parseCorpus(t, "33-success-spreadsheet.eml")
	// A reader that fails if asked for much more than the header block.
	head := bytes.Index(raw, []byte("\r\n\r\n")) + 4
	r := &limitedReader{data: raw, limit: head + 8192}
	m, err := ParseHeader(r)
	if err != nil {
		t.Fatal(err)
	}
	if r.over {
		t.Errorf("ParseHeader read past %d bytes", r.limit)
	}
	if !m.HeaderOnly || m.Text != "" || len(m.Attachments) != 0 {
		t.Errorf("ParseHeader gave HeaderOnly %v, %d bytes of text, %d attachments", m.HeaderOnly, len(m.Text), len(m.Attachments))
	}
	if m.MessageID != full.MessageID || m.Subject != full.Subject || m.From != full.From || !m.Date.Equal(full.Date) {
		t.Errorf("ParseHeader = %q %q %v %v, want %q %q %v %v", m.MessageID, m.Subject, m.From, m.Date, full.MessageID, full.Subject, full.From, full.Date)
	}
	if got := Match(m, newTestIndex()); got.Ref != "LXP7-033" {
		t.Errorf("Match(header only) = %q, want LXP7-033", got.Ref)
	}

	if _, err := ParseHeader(strings.NewReader("")); err == nil {
		t.Error("ParseHeader(empty) gave no error")
	}
}

type limitedReader struct {
	data  []byte
	off   int
	limit int
	over  bool
}

func (r *limitedReader) Read(p []byte) (int, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	if r.off > r.limit {
		r.over = true
	}
	return n, nil
}

func TestLargeMessage(t *testing.T) {
	t.Parallel()
	data := make([]byte, 22<<20)
	rng := rand.New(rand.NewChaCha8([32]byte{1, 2, 3}))
	for i := 0; i+8 <= len(data); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	var b bytes.Buffer
	b.WriteString("From: FOI <foi@trust-033.nhs.example>\r\nTo: campaign@campaign.example.org\r\n" +
		"Subject: RE: Freedom of Information request [LXP7-033]: scans\r\nDate: Mon, 6 Apr 2026 10:00:00 +0100\r\n" +
		"Message-ID: <large@trust-033.nhs.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n" +
		"--big\r\nContent-Type: text/plain\r\n\r\nPlease find attached the scanned documents.\r\n" +
		"--big\r\nContent-Type: application/pdf; name=scans.pdf\r\nContent-Disposition: attachment; filename=scans.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--big--\r\n")
	if b.Len() < 30<<20 {
		t.Fatalf("test message is %d bytes, want at least 30 MB", b.Len())
	}

	m, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments %v, want scans.pdf", attachmentNames(m))
	}
	sum := sha256.Sum256(data)
	if a := m.Attachments[0]; a.Name != "scans.pdf" || a.Size != len(data) || a.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("attachment %q of %d bytes, sha256 %s; want scans.pdf of %d bytes, %x", a.Name, a.Size, a.SHA256, len(data), sum)
	}
	if r := Match(m, newTestIndex()); r.Ref != "LXP7-033" {
		t.Errorf("Match = %q, want LXP7-033", r.Ref)
	}
}

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", ".._.._etc_passwd"},
		{`C:\Users\foi\reply.docx`, "C:_Users_foi_reply.docx"},
		{"..", "__"},
		{".", "_"},
		{"", ""},
		{"tab\there\nnewline.txt", "tab here newline.txt"},
		{"null\x00byte\x1b[31m.pdf", "nullbyte[31m.pdf"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"zero\u200bwidth.pdf", "zerowidth.pdf"},
		{"  spaced   out  .pdf ", "spaced out .pdf"},
		{"bad\xffutf8.csv", "bad\uFFFDutf8.csv"},
		{strings.Repeat("a", 300) + ".pdf", strings.Repeat("a", maxNameRunes-4) + ".pdf"},
	}
	for _, tt := range tests {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParamValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, key, want string }{
		{`attachment; filename="plain name.pdf"`, "filename", "plain name.pdf"},
		{`attachment; filename=unquoted.pdf`, "filename", "unquoted.pdf"},
		{`attachment; filename*=UTF-8''R%C3%A9ponse.pdf`, "filename", "Réponse.pdf"},
		{`attachment; filename*=utf-8'en'a%20b.pdf; filename="fallback.pdf"`, "filename", "a b.pdf"},
		{`attachment; filename*=iso-8859-1''Co%FBts%20%A3.csv`, "filename", "Coûts £.csv"},
		{`attachment; filename*=windows-1252''a%96b.pdf`, "filename", "a–b.pdf"},
		{`attachment; filename*0*=UTF-8''Job%20; filename*1*=descr%C3%AD; filename*2="ption.pdf"`, "filename", "Job descríption.pdf"},
		{`attachment; filename*1="second.pdf"; filename*0="first-"`, "filename", "first-second.pdf"},
		{`attachment; filename="=?iso-8859-1?Q?R=E9sum=E9.pdf?="`, "filename", "Résumé.pdf"},
		{`attachment; filename="=?utf-8?B?w6lsw6h2ZS5wZGY=?="`, "filename", "élève.pdf"},
		{`application/pdf; name="a \"quoted\" name.pdf"`, "name", `a "quoted" name.pdf`},
		{`attachment; filename="unterminated.pdf`, "filename", "unterminated.pdf"},
		{`attachment; filename*=x-unknown''abc.pdf`, "filename", "abc.pdf"},
		{`attachment`, "filename", ""},
		{`attachment; size=12`, "filename", ""},
		// RFC 2047 inside RFC 2231 parameters and continuations, and other
		// broken forms that mailers produce.
		{`attachment; filename*0="=?UTF-8?Q?M=C3=BCller=5FStellungnahme.xl"; filename*1="sx?="`, "filename", "Müller_Stellungnahme.xlsx"},
		{`attachment; filename*0="=?UTF-8?B?w6lsw6h2"; filename*1="ZS5wZGY=?="`, "filename", "élève.pdf"},
		{`attachment; filename*=UTF-8''%3D%3FUTF-8%3FQ%3FR%3DC3%3DA9ponse.pdf%3F%3D`, "filename", "Réponse.pdf"},
		{`attachment; filename==?UTF-8?Q?M=C3=BCller_Antwort.pdf?=`, "filename", "Müller Antwort.pdf"},
		{`attachment; filename="=?UTF-8?Q?Antwort_zur_Anfrage_LXP7-004_vom_2._M=C3=A4rz_2026_mit_allen_Anlagen_und_Tabellen.pdf?="`, "filename", "Antwort zur Anfrage LXP7-004 vom 2. März 2026 mit allen Anlagen und Tabellen.pdf"},
		{`attachment; filename="=?UTF-8?Q?M=C3?= =?UTF-8?Q?=BCller.pdf?="`, "filename", "Müller.pdf"},
		{`attachment; filename="=?iso-8859-1?Q?R=E9ponse?= to =?utf-8?Q?M=C3=BCller?=.pdf"`, "filename", "Réponse to Müller.pdf"},
		{`attachment; filename="=?UTF-8?Q?R=C3=A9ponse finale.pdf?="`, "filename", "Réponse finale.pdf"},
		{`attachment; filename="=?utf-8?b?w6lsw6h2ZS5wZGY?="`, "filename", "élève.pdf"},
		{`attachment; filename="=?UTF-8?Q?unterminated=C3=A9.pdf"`, "filename", "unterminatedé.pdf"},
		{`attachment; filename="=?x-unknown?Q?plain.pdf?="`, "filename", "plain.pdf"},
		{`attachment; filename="=?UTF-8?X?not-a-word.pdf?="`, "filename", "=?UTF-8?X?not-a-word.pdf?="},
	}
	for _, tt := range tests {
		if got := paramValue(tt.header, tt.key); got != tt.want {
			t.Errorf("paramValue(%q, %q) = %q, want %q", tt.header, tt.key, got, tt.want)
		}
	}
}

// A value full of encoded-word starts that never end is read in linear
// time, not one scan to the end per start.
func TestDecodeWordsIsLinear(t *testing.T) {
	t.Parallel()
	for _, s := range []string{strings.Repeat("=?utf-8?q?a", 100000), strings.Repeat("=?utf-8?q?a", 100000) + "?="} {
		start := time.Now()
		got := decodeWords(s)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("decodeWords of %d bytes took %v", len(s), d)
		}
		if !strings.HasPrefix(got, s[:len(s)-100]) {
			t.Errorf("decodeWords changed the unterminated words: %q...", got[:40])
		}
	}
}

func TestHeaderFields(t *testing.T) {
	t.Parallel()
	raw := "From: =?iso-8859-1?Q?Ll=EAn_Jones?= <Foi@Trust-013.nhs.example>\r\n" +
		"To: A <a@x.example>, b@y.example\r\nCc: \"C, D\" <c@z.example>\r\n" +
		"Delivered-To: one@campaign.example.org\r\nDelivered-To: two@campaign.example.org\r\n" +
		"X-Original-To: campaign+lxp7-001-fdaf505b@campaign.example.org\r\n" +
		"Message-ID:  <id-1@host.example>  \r\nIn-Reply-To: <a@b> (Fred's message)\r\n" +
		"References: <r1@h>\r\n <r2@h>\r\n\t<r3@h>\r\n" +
		"Subject: =?utf-8?Q?Caf=C3=A9?=\r\n  folded\ttext\r\nDate: Mon, 2 Mar 2026 10:15:00 +0000 (GMT)\r\n\r\nbody\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "Llên Jones" || m.From.Addr != "Foi@Trust-013.nhs.example" {
		t.Errorf("From = %+v", m.From)
	}
	if got := addrsOnly(m.To); !slices.Equal(got, []string{"a@x.example", "b@y.example"}) {
		t.Errorf("To = %v", got)
	}
	if len(m.Cc) != 1 || m.Cc[0].Name != "C, D" {
		t.Errorf("Cc = %v", m.Cc)
	}
	if !slices.Equal(m.DeliveredTo, []string{"one@campaign.example.org", "two@campaign.example.org"}) {
		t.Errorf("DeliveredTo = %v", m.DeliveredTo)
	}
	if !slices.Equal(m.OriginalTo, []string{"campaign+lxp7-001-fdaf505b@campaign.example.org"}) {
		t.Errorf("OriginalTo = %v", m.OriginalTo)
	}
	if m.MessageID != "id-1@host.example" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if !slices.Equal(m.InReplyTo, []string{"a@b"}) || !slices.Equal(m.References, []string{"r1@h", "r2@h", "r3@h"}) {
		t.Errorf("InReplyTo %v, References %v", m.InReplyTo, m.References)
	}
	if m.Subject != "Café folded text" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if want := time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC); !m.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", m.Date, want)
	}
}

func TestTextPartWithNameIsAFile(t *testing.T) {
	t.Parallel()
	raw := "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain\r\n\r\nSee the notes.\r\n" +
		"--x\r\nContent-Type: text/plain; name=\"notes.txt\"\r\n\r\nThe notes.\r\n--x--\r\n"
	m, _ := Parse([]byte(raw))
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "notes.txt" || m.Attachments[0].Source != SourceOther {
		t.Errorf("attachments %+v, want notes.txt from other", m.Attachments)
	}
}

func TestTNEFGuards(t *testing.T) {
	t.Parallel()
	sig := []byte{0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00}
	attr := func(level byte, id uint16, typ uint16, data []byte) []byte {
		b := []byte{level, byte(id), byte(id >> 8), byte(typ), byte(typ >> 8)}
		n := len(data)
		b = append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
		b = append(b, data...)
		return append(b, 0, 0)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	valid, err := os.ReadFile(filepath.Join("testdata", "files", "winmail.dat"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"valid", valid, true},
		{"empty", nil, false},
		{"three bytes", []byte{0x78, 0x9f, 0x3e}, false},
		{"signature only", sig, true},
		{"truncated attribute", cat(sig, []byte{1, 2, 3}), false},
		{"length past end", cat(sig, []byte{1, 0x10, 0x80, 1, 0, 0xff, 0xff, 0xff, 0x7f}), false},
		{"attachment data before attachment", cat(sig, attr(2, 0x800f, 6, []byte("x"))), false},
		{"huge MAPI count", cat(sig, attr(1, 0x9003, 6, []byte{0xff, 0xff, 0xff, 0xff})), false},
		{"MAPI value too long", cat(sig, attr(1, 0x9003, 6, []byte{1, 0, 0, 0, 0x1e, 0, 0, 0x10, 1, 0, 0, 0, 0xff, 0xff, 0, 0})), false},
		{"MAPI many values", cat(sig, attr(1, 0x9003, 6, []byte{1, 0, 0, 0, 0x00, 0x10, 0, 0x10, 0xff, 0xff, 0, 0})), false},
	}
	for _, tt := range tests {
		files, _, err := decodeTNEF(tt.data)
		if (err == nil) != tt.ok {
			t.Errorf("decodeTNEF(%s) error %v, want ok %v", tt.name, err, tt.ok)
		}
		if tt.name == "valid" && len(files) != 2 {
			t.Errorf("decodeTNEF(valid) gave %d files, want 2", len(files))
		}
	}
}
