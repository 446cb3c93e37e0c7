package inbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"foi/extract"
	"foi/lifecycle"
	"foi/localmail"
	"foi/store"
)

// A reply whose body says only "please find our response attached" is read
// from the attached letter: with the letter's text (extract reads the PDF,
// as at filing) it is not held; without, it only looks answered.
func TestClassifyFromAttachedLetter(t *testing.T) {
	t.Parallel()
	m := parseCorpus(t, "60-attached-letter-only.eml")
	var texts []string
	for _, a := range m.Attachments {
		res, err := extract.Text(a.Name, a.ContentType, a.Data)
		if err != nil || res.Status != extract.StatusOK {
			t.Fatalf("extract %s: %v %+v", a.Name, err, res)
		}
		texts = append(texts, res.Text)
	}
	if c := Classify(m); c.Outcome != OutcomeSuccessful {
		t.Errorf("Classify (no letter text) = %s/%s, want substantive/successful", c.Kind, c.Outcome)
	}
	c := ClassifyWith(m, texts)
	if c.Kind != lifecycle.KindSubstantive || c.Outcome != OutcomeNotHeld || !c.NotHeld {
		t.Errorf("ClassifyWith(letter) = %s/%s %q, want substantive/not_held", c.Kind, c.Outcome, c.Evidence)
	}

	// The same for an identity challenge sent as a letter.
	thinBody := &Message{Subject: "RE: Freedom of Information request [LXP7-004]", Text: "Please find our response attached.\n",
		Attachments: []Attachment{{Name: "letter.pdf", ContentType: "application/pdf", Source: SourceAttachment}}}
	c = ClassifyWith(thinBody, []string{"Before we can process your request we require your full name. A request must be made by an individual."})
	if c.Kind != lifecycle.KindIdentity {
		t.Errorf("ClassifyWith(identity letter) = %s %q, want identity_challenge", c.Kind, c.Evidence)
	}
	// A body that decides by itself is not overridden by what is attached.
	decided := &Message{Subject: "RE: request", Text: "The Trust does not hold this information."}
	if c := ClassifyWith(decided, []string{"Job description: duties include clarification of needs."}); c.Outcome != OutcomeNotHeld {
		t.Errorf("ClassifyWith(decided body) = %s/%s, want not_held", c.Kind, c.Outcome)
	}

	// An Outlook .msg's own text counts as an attached letter.
	msg := parseCorpus(t, "51-outlook-msg-attachment.eml")
	if c := Classify(msg); !slices.ContainsFunc(c.Evidence, func(s string) bool { return strings.Contains(s, "please find attached the trust's response") }) {
		t.Errorf("Classify(.msg reply) evidence %q, want the .msg's own words", c.Evidence)
	}
}

// A spreadsheet holds figures, not the decision: a thin reply with a CSV
// whose cells say "not held" is not read as a refusal, while the same words
// in an attached text letter decide it.
func TestSpreadsheetNotALetter(t *testing.T) {
	t.Parallel()
	cells := []byte("post,decision\r\nBand 7 peer lead,The Trust does not hold this information.\r\n")
	for _, tc := range []struct {
		name, ctype string
		notHeld     bool
	}{{"posts.csv", "text/csv", false}, {"letter.txt", "text/plain", true}} {
		m := &Message{Subject: "RE: Freedom of Information request [LXP7-004]", Text: "Please find our response attached.\n",
			Attachments: []Attachment{{Name: tc.name, ContentType: tc.ctype, Source: SourceAttachment, Data: cells}}}
		letters := readTexts(m, nil).letters()
		if c := ClassifyWith(m, letters); (c.Outcome == OutcomeNotHeld) != tc.notHeld {
			t.Errorf("%s: ClassifyWith = %s/%s (letters %q), want not held %v", tc.name, c.Kind, c.Outcome, letters, tc.notHeld)
		}
	}
}

func TestOutlookMSGListed(t *testing.T) {
	t.Parallel()
	m := parseCorpus(t, "51-outlook-msg-attachment.eml")
	if len(m.Attachments) != 3 {
		t.Fatalf("attachments %v, want the .msg and its two files", attachmentNames(m))
	}
	msg := m.Attachments[0]
	if msg.Message == nil || msg.Message.Subject != "RE: Freedom of Information request [LXP7-051]: Band 7 LXP roles" ||
		msg.Message.From.Addr != "jo.bloggs@trust-051.nhs.example" || msg.Message.From.Name != "Jo Bloggs" {
		t.Fatalf(".msg listed as %+v, want its subject and sender", msg.Message)
	}
	for _, a := range m.Attachments[1:] {
		if a.Parent != 0 || a.Source != SourceMSG {
			t.Errorf("%s: parent %d source %s, want inside the .msg", a.Name, a.Parent, a.Source)
		}
	}
	// A damaged .msg is kept as a file and flagged, never fatal.
	data, err := os.ReadFile(filepath.Join("testdata", "files", "reply.msg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{8, 512, 1024, len(data) / 2} {
		raw := "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/vnd.ms-outlook; name=reply.msg\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
			string(data[:cut]) + "\r\n--x--\r\n"
		m, _ := Parse([]byte(raw))
		checkInvariants(t, m)
		if len(m.Attachments) == 0 || !m.HasFlag("msg-malformed") {
			t.Errorf("cut at %d: attachments %v flags %v, want the .msg kept and msg-malformed", cut, attachmentNames(m), m.Flags)
		}
	}
}

func TestReviewRightsParagraph(t *testing.T) {
	t.Parallel()
	rights := "\n\nIf you are dissatisfied with the handling of your request or our decision to refuse or withhold information, you may ask for an internal review %s. You may then complain to the Information Commissioner under section 50."
	tests := []struct {
		name, text string
		outcome    string
		within     string
		count      int
		unit       string
	}{
		{"success keeps its outcome", "Please find attached the information requested." + fmt.Sprintf(rights, "within 40 working days of the date of this letter"), OutcomeSuccessful, "40 working days", 40, "working_days"},
		{"two months", "We can confirm that the Trust employs 4 LXPs." + fmt.Sprintf(rights, "within two months of receiving this response"), OutcomeSuccessful, "two months", 2, "months"},
		{"twenty days", "Please find attached our response." + fmt.Sprintf(rights, "no later than 20 working days after this reply"), OutcomeSuccessful, "20 working days", 20, "working_days"},
		{"no deadline stated", "Please find attached our response." + fmt.Sprintf(rights, "by writing to us"), OutcomeSuccessful, "", 0, ""},
		{"a refusal is still a refusal", "The names are exempt under section 40(2) and have been withheld." + fmt.Sprintf(rights, "within 40 working days"), OutcomeRefused, "40 working days", 40, "working_days"},
		{"same paragraph", "Please find attached the information requested. If you are dissatisfied you may request an internal review within 3 months; we may refuse late requests.", OutcomeSuccessful, "3 months", 3, "months"},
	}
	for _, tt := range tests {
		c := Classify(&Message{Subject: "RE: request", Text: tt.text})
		if c.Kind != lifecycle.KindSubstantive || c.Outcome != tt.outcome || c.ReviewWithin != tt.within || c.ReviewCount != tt.count || c.ReviewUnit != tt.unit {
			t.Errorf("%s: Classify = %s/%s review %q %d %q (%q), want substantive/%s review %q %d %q", tt.name, c.Kind, c.Outcome,
				c.ReviewWithin, c.ReviewCount, c.ReviewUnit, c.Evidence, tt.outcome, tt.within, tt.count, tt.unit)
		}
	}
}

func TestIdentityChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want lifecycle.Kind
	}{
		{"Please provide your real name so that we can log your request.", lifecycle.KindIdentity},
		{"We cannot accept requests made under a pseudonym.", lifecycle.KindIdentity},
		{"Requests must be made by an individual; please confirm your full name.", lifecycle.KindIdentity},
		{"Could you please clarify the name of the individual making the request? Under section 1(3) we need this.", lifecycle.KindIdentity},
		{"This is not a valid request under section 8 as no name was given.", lifecycle.KindIdentity},
		// Not identity challenges: names in an answer.
		{"The full name of each post holder is exempt under s.40(2) and has been withheld.", lifecycle.KindSubstantive},
		{"Staff names have been pseudonymised in the attached table. Please find attached the information requested.", lifecycle.KindSubstantive},
		{"Could you clarify which posts you mean?", lifecycle.KindClarification},
	}
	for _, tt := range tests {
		if c := Classify(&Message{Subject: "RE: request", Text: tt.text}); c.Kind != tt.want {
			t.Errorf("Classify(%q) = %s %q, want %s", tt.text, c.Kind, c.Evidence, tt.want)
		}
	}
}

func TestGatewayBounces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, failed, diag string
	}{
		{"53-webshield-bounce.eml", "foi@trust-041.nhs.example", "External mail - unknown sender domain"},
		{"54-gateway-dsn-returned-headers.eml", "foi@trust-039.nhs.example", "rejected by policy"},
	}
	for _, tt := range tests {
		c := Classify(parseCorpus(t, tt.file))
		if c.Kind != lifecycle.KindBounce || !slices.Equal(c.FailedRecipients, []string{tt.failed}) || !strings.Contains(c.Diagnostic, tt.diag) {
			t.Errorf("%s: %s %v %q, want bounce for %s with ...%s...", tt.file, c.Kind, c.FailedRecipients, c.Diagnostic, tt.failed, tt.diag)
		}
	}
	// A gateway's notice that ends "please do not reply" is still a bounce.
	ws := parseCorpus(t, "53-webshield-bounce.eml")
	ws.Text += "\nThis is an automated message. Please do not reply to this email.\n"
	if c := Classify(ws); c.Kind != lifecycle.KindBounce {
		t.Errorf("gateway bounce with a do-not-reply footer: %s %q, want bounce", c.Kind, c.Evidence)
	}
	// An automatic reply with an empty Return-Path and "not delivered" in
	// its subject is not a bounce.
	if c := Classify(parseCorpus(t, "56-empty-return-path-redirect.eml")); c.Kind != lifecycle.KindRedirect ||
		!slices.Equal(c.RedirectTo, []string{"information.requests@trust-026.nhs.example"}) {
		t.Errorf("56: %s %v, want redirect to information.requests@trust-026.nhs.example", c.Kind, c.RedirectTo)
	}
	m := &Message{Header: map[string][]string{"Return-Path": {"<>"}}, From: Address{Addr: "jo@a.example"}, Subject: "Returned mail: out of office",
		Text: "I am out of the office until Monday."}
	if c := Classify(m); c.Kind != lifecycle.KindAutoReply {
		t.Errorf("null Return-Path out-of-office: %s %q, want auto_reply", c.Kind, c.Evidence)
	}
}

// Through the Processor and a real store: a bounce of someone else's
// message that quotes our reference changes no request's state; a bounce
// naming our letter's recipient stops that request; an identity challenge
// keeps the clock running (the state does not move).
func TestBouncesAndChallengesThroughTheStore(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	ctx := context.Background()
	p := &Processor{Store: w.st}
	r0, r1, r2 := w.reqs[0], w.reqs[1], w.reqs[2]
	_, domain, _ := strings.Cut(r0.ToAddress, "@")
	dsn := func(id, failed, returned string) []byte {
		return []byte("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@" + domain + ">\r\nTo: campaign@foi.test\r\n" +
			"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <" + id + "@" + domain + ">\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n" +
			"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
			"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; " + failed +
			"\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n" +
			"--B\r\nContent-Type: message/rfc822\r\n\r\n" + returned + "\r\n--B--\r\n")
	}
	// 1. A colleague's forward of our request bounced: it names r0's
	// reference, but neither the returned message nor the failed
	// recipient is ours.
	other := "From: <" + r0.ToAddress + ">\r\nTo: <j.smith@" + domain + ">\r\nSubject: FW: request [" + r0.Ref + "]\r\nMessage-ID: <fw-1@" + domain +
		">\r\n\r\nJo, can you answer " + r0.Ref + "?\r\n"
	out, err := p.Process(ctx, dsn("b1", "j.smith@"+domain, other), "INBOX", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.Ref != "" || !out.Taken || out.Kind != lifecycle.KindBounce {
		t.Errorf("bounce of someone else's message: %+v, want kept unmatched as a bounce", out)
	}
	for _, r := range w.reqs {
		got, err := w.st.Request(ctx, r.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != r.State {
			t.Errorf("%s: state %s after a bounce of someone else's message, want %s unchanged", r.Ref, got.State, r.State)
		}
	}

	// 2. Our letter to r1 bounced, named by its recipient alone (no copy
	// of it returned, nothing in the subject): a delivery failure.
	out, err = p.Process(ctx, dsn("b2", r1.ToAddress, "From: x@y.example\r\nSubject: something\r\n\r\nhello\r\n"), "INBOX", 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := w.st.Request(ctx, r1.Ref); out.Ref != r1.Ref || got.State != lifecycle.DeliveryFailed {
		t.Errorf("bounce for %s's recipient: %+v, state %s, want filed there and delivery_failed", r1.Ref, out, got.State)
	}

	// 3. An identity challenge: filed, the state stays (the clock runs on).
	challenge := "From: <" + r2.ToAddress + ">\r\nTo: campaign@foi.test\r\nSubject: RE: request\r\nMessage-ID: <id-1@nhs.test>\r\nIn-Reply-To: <" + r2.MessageID +
		">\r\n\r\nBefore we can deal with this we need the real name of the person making the request.\r\n"
	out, err = p.Process(ctx, []byte(challenge), "INBOX", 3, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := w.st.Request(ctx, r2.Ref)
	if out.Ref != r2.Ref || out.Kind != lifecycle.KindIdentity || got.State != r2.State {
		t.Errorf("identity challenge: %+v, state %s, want filed under %s as identity_challenge, state %s kept", out, got.State, r2.Ref, r2.State)
	}
	events, err := w.st.Events(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e store.Event) bool {
		return e.Kind == lifecycle.EventIdentity && strings.Contains(e.Detail, "s.8(1)(b)")
	}) {
		t.Errorf("events %+v, want an identity_challenge event citing s.8(1)(b)", events)
	}
}
