package inbox

import (
	"foi/lifecycle"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

func TestClassifyLetters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		subject string
		text    string
		kind    lifecycle.Kind
		outcome string
	}{
		{"acknowledgement", "RE: request", "We acknowledge receipt of your request and will respond within 20 working days.", lifecycle.KindAcknowledgement, ""},
		{"logged", "Your request", "Your request has been logged under reference FOI/1.", lifecycle.KindAcknowledgement, ""},
		{"clarification", "RE: request", "Could you clarify which posts you mean?", lifecycle.KindClarification, ""},
		{"clarification s.1(3)", "RE: request", "Under s.1(3) we need more detail.", lifecycle.KindClarification, ""},
		{"extension", "RE: request", "We need further time to consider the public interest test.", lifecycle.KindExtension, ""},
		{"extension s.10(3)", "RE: request", "We are relying on section 10(3) to extend the deadline.", lifecycle.KindExtension, ""},
		{"fee notice", "RE: request", "We must charge a fee of £25.00 before we send the copies.", lifecycle.KindFeeNotice, ""},
		{"cost limit", "RE: request", "Complying would exceed the appropriate limit of £450 (18 hours).", lifecycle.KindSubstantive, OutcomeRefused},
		{"exemption", "RE: request", "The names are exempt under s.40(2) and have been withheld.", lifecycle.KindSubstantive, OutcomeRefused},
		{"not held", "RE: request", "The Trust does not hold this information.", lifecycle.KindSubstantive, OutcomeNotHeld},
		{"partial", "RE: request", "Please find attached some of the information you asked for; the rest is exempt under section 43.", lifecycle.KindSubstantive, OutcomePartial},
		{"success", "RE: request", "Please find attached the information requested.", lifecycle.KindSubstantive, OutcomeSuccessful},
		{"substantive beats acknowledgement", "RE: request", "Thank you for your request, which has been logged. The Trust does not hold the information.", lifecycle.KindSubstantive, OutcomeNotHeld},
		{"subject alone", "FOI Response - FOI/23/0456", "See attached.", lifecycle.KindSubstantive, OutcomeSuccessful},
		{"nothing", "Hello", "Lovely weather.", lifecycle.KindUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Classify(&Message{Subject: tt.subject, Text: tt.text})
			if c.Kind != tt.kind || c.Outcome != tt.outcome {
				t.Errorf("Classify = %s/%q (%q), want %s/%q", c.Kind, c.Outcome, c.Evidence, tt.kind, tt.outcome)
			}
			if c.Kind != lifecycle.KindUnknown && len(c.Evidence) == 0 {
				t.Error("no evidence given")
			}
		})
	}
}

// Our own letter, quoted below a reply, asks for "clarification" and mentions
// "20 working days": only the new text counts.
func TestClassifyIgnoresQuotedText(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"01-outlook-ack-qp.eml", "05-lotus-notes-forward.eml", "06-groupwise-ref-in-quote.eml", "09-ref-in-quoted-body.eml", "44-followup-round.eml"} {
		m := parseCorpus(t, file)
		c := Classify(m)
		for _, ev := range c.Evidence {
			if strings.Contains(ev, "clarif") || strings.Contains(ev, "look forward") {
				t.Errorf("%s: evidence %q comes from the quoted letter", file, ev)
			}
		}
	}
	text := "Please find attached our response.\n\nOn Mon, 2 Mar 2026 at 10:15, Alex <a@b.example>\nwrote:\n> If you need any clarification, please contact me.\n"
	if got := unquoted(text); got != "Please find attached our response.\n" {
		t.Errorf("unquoted(...) = %q", got)
	}
}

func TestCitedSections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []string
	}{
		{"exempt under section 40(2) of the Act", []string{"s.40(2)"}},
		{"sections 40(2) and 41 apply", []string{"s.40(2)", "s.41"}},
		{"s.43(2) and s.36(2)(b)(ii)", []string{"s.43(2)", "s.36(2)(b)(ii)"}},
		{"under s12 we will not comply", []string{"s.12"}},
		{"Section 14(1) vexatious", []string{"s.14(1)"}},
		{"regulation 12(4)(b) and reg. 13", []string{"reg.12(4)(b)", "reg.13"}},
		{"section 1(3), section 10(3), section 16 and section 17", nil},
		{"it's 12 weeks since 2021", nil},
	}
	for _, tt := range tests {
		if got := citedSections(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("citedSections(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestClassifyBounces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		failed    []string
		action    string
		status    string
		diagnosis string
		temporary bool
		original  string
	}{
		{"18-postfix-bounce-dsn.eml", []string{"foi@trust-018.nhs.example"}, "failed", "5.1.1", "User unknown", false, testMessageID("LXP7-018", "msgid")},
		{"19-exchange-bounce-dsn.eml", []string{"foi@trust-019.nhs.example"}, "failed", "5.4.1", "Access denied", false, testMessageID("LXP7-019", "msgid")},
		{"40-exim-bounce-xfailed.eml", []string{"foi@trust-040.nhs.example"}, "", "5.7.1", "Mailbox unavailable", false, testMessageID("LXP7-040", "msgid")},
		{"45-postfix-delay-dsn.eml", []string{"foi@trust-045.nhs.example"}, "delayed", "4.4.1", "Connection timed out", true, testMessageID("LXP7-045", "msgid")},
	}
	for _, tt := range tests {
		c := Classify(parseCorpus(t, tt.file))
		if c.Kind != lifecycle.KindBounce {
			t.Errorf("%s: Kind %s, want bounce", tt.file, c.Kind)
			continue
		}
		if !slices.Equal(c.FailedRecipients, tt.failed) || c.Action != tt.action || c.Status != tt.status ||
			!strings.Contains(c.Diagnostic, tt.diagnosis) || c.Temporary != tt.temporary || c.OriginalMessageID != tt.original {
			t.Errorf("%s: bounce %v %q %q %q temporary %v original %q,\nwant %v %q %q ...%q... temporary %v original %q",
				tt.file, c.FailedRecipients, c.Action, c.Status, c.Diagnostic, c.Temporary, c.OriginalMessageID,
				tt.failed, tt.action, tt.status, tt.diagnosis, tt.temporary, tt.original)
		}
	}
}

func TestClassifyAutoReplies(t *testing.T) {
	t.Parallel()
	hdr := func(kv ...string) textproto.MIMEHeader {
		h := textproto.MIMEHeader{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name    string
		m       *Message
		want    lifecycle.Kind
		redirct []string
	}{
		{"Auto-Submitted auto-replied", &Message{Header: hdr("Auto-Submitted", "auto-replied"), Subject: "Re: x", Text: "Thanks"}, lifecycle.KindAutoReply, nil},
		{"Auto-Submitted no", &Message{Header: hdr("Auto-Submitted", "no"), Subject: "Re: x", Text: "Lovely weather."}, lifecycle.KindUnknown, nil},
		{"X-Autorespond", &Message{Header: hdr("X-Autorespond", "yes"), Subject: "Re: x"}, lifecycle.KindAutoReply, nil},
		{"Precedence auto_reply", &Message{Header: hdr("Precedence", "auto_reply"), Subject: "Re: x"}, lifecycle.KindAutoReply, nil},
		{"bulk newsletter is not an auto-reply", &Message{Header: hdr("Precedence", "bulk"), Subject: "News", Text: "This week in health policy"}, lifecycle.KindUnknown, nil},
		{"bulk out of office", &Message{Header: hdr("Precedence", "bulk"), Subject: "Re: x", Text: "I am out of the office until Monday."}, lifecycle.KindAutoReply, nil},
		{"out of office subject", &Message{Subject: "Out of Office: Re: request"}, lifecycle.KindAutoReply, nil},
		{"read receipt", &Message{Subject: "Read: Freedom of Information request"}, lifecycle.KindAutoReply, nil},
		{"generated acknowledgement stays an acknowledgement", &Message{Header: hdr("Auto-Submitted", "auto-generated"), Subject: "Request", Text: "Your request has been logged."}, lifecycle.KindAcknowledgement, nil},
		{"generated out of office", &Message{Header: hdr("Auto-Submitted", "auto-generated"), Subject: "Request", Text: "I am on annual leave. Your request has been logged."}, lifecycle.KindAutoReply, nil},
		{"redirect by resend", &Message{Header: hdr("X-Autoreply", "yes"), From: Address{Addr: "old@a.example"},
			Text: "This address is closed. Please resend your request to New.FOI@b.example."}, lifecycle.KindRedirect, []string{"new.foi@b.example"}},
		{"redirect when no longer monitored", &Message{Subject: "Automatic reply: x", From: Address{Addr: "old@a.example"},
			Text: "This mailbox is no longer monitored.\nFor all enquiries contact foi@b.example"}, lifecycle.KindRedirect, []string{"foi@b.example"}},
		{"absence naming the FOI mailbox is an auto-reply with the address offered", &Message{Subject: "AutoReply: x", From: Address{Addr: "mary@a.example"},
			Text: "I am on annual leave. For FOI requests please email foi@a.example."}, lifecycle.KindAutoReply, []string{"foi@a.example"}},
		// Gateways and Exchange variants (issue 13).
		{"MessageLabs out-of-office that says it was received", &Message{Header: hdr("X-Msg-Ref", "server-7.tower-1.messagelabs.com!1772445600!123!1", "X-VirusChecked", "Checked"), Subject: "RE: Freedom of Information request [LXP7-004]",
			Text: "Thank you for your email, which has been received. I am currently out of the office until 9 March with no access to email and will respond on my return."}, lifecycle.KindAutoReply, nil},
		{"Mimecast-relayed absence, no headers left", &Message{Subject: "RE: request", Text: "Jo Bloggs is away from the office until Monday 9 March."}, lifecycle.KindAutoReply, nil},
		{"X-Auto-Response-Suppress and nothing else said", &Message{Header: hdr("X-Auto-Response-Suppress", "All"), Subject: "RE: request", Text: "Thank you."}, lifecycle.KindAutoReply, nil},
		{"inbox rule loop", &Message{Header: hdr("X-MS-Exchange-Inbox-Rules-Loop", "foi@a.example"), Subject: "RE: request", Text: "I will be back in the office on Tuesday."}, lifecycle.KindAutoReply, nil},
		{"Exchange keeps the out-of-office in Thread-Topic when the gateway rewrote the subject", &Message{Header: hdr("Thread-Topic", "Automatic reply: Freedom of Information request [LXP7-004]"), Subject: "[EXTERNAL] Freedom of Information request [LXP7-004]", Text: "Thanks"}, lifecycle.KindAutoReply, nil},
		{"Thread-Topic of our subject proves nothing", &Message{Header: hdr("Thread-Topic", "Freedom of Information request [LXP7-004]"), Subject: "RE: Freedom of Information request [LXP7-004]", Text: "We acknowledge receipt of your request."}, lifecycle.KindAcknowledgement, nil},
		{"Lotus: is out of the office", &Message{Subject: "Mary Brown is out of the office.", Text: "I will be out of the office starting 02/03/2026 and will not return until 10/03/2026."}, lifecycle.KindAutoReply, nil},
		{"prose with 'is away' is not an absence", &Message{Subject: "RE: request", Text: "In response to your request: the ward is away from the main site, so the posts are shared."}, lifecycle.KindSubstantive, nil},
		{"Lotus return receipt", &Message{Subject: "Return Receipt", Text: "Your document: Freedom of Information request [LXP7-004]\nwas received by: Mary Brown/Trust\nat: 02/03/2026 10:48:00"}, lifecycle.KindAutoReply, nil},
		{"German read receipt", &Message{Subject: "Gelesen: Anfrage"}, lifecycle.KindAutoReply, nil},
		{"Exchange 2003 out of office autoreply", &Message{Subject: "Out of Office AutoReply: Freedom of Information request"}, lifecycle.KindAutoReply, nil},
		{"read receipt re-wrapped by a gateway", &Message{Subject: "Freedom of Information request", Attachments: []Attachment{{ContentType: "message/disposition-notification"}}}, lifecycle.KindAutoReply, nil},
		{"not monitored notice alone", &Message{Subject: "RE: request", Text: "This mailbox is not monitored. Your email has not been read."}, lifecycle.KindAutoReply, nil},
		{"casework acknowledgement with a do-not-reply footer stays an acknowledgement", &Message{Header: hdr("Auto-Submitted", "auto-generated"), Subject: "Request",
			Text: "Your request has been logged.\n\nThis is an automated message. Please do not reply to this email address."}, lifecycle.KindAcknowledgement, nil},
		{"an answer from a no-reply address names the address to write to", &Message{From: Address{Addr: "noreply@a.example"}, Subject: "FOI response",
			Text: "Please find attached our response to your request.\n\nPlease do not reply to this email. Any further correspondence should be sent to foi@a.example."}, lifecycle.KindSubstantive, []string{"foi@a.example"}},
		{"colleague is not a redirect", &Message{Subject: "Automatic reply: x", From: Address{Addr: "me@a.example"},
			Text: "I am away. My manager is boss@a.example and she is also away."}, lifecycle.KindAutoReply, nil},
	}
	for _, tt := range tests {
		c := Classify(tt.m)
		if c.Kind != tt.want || !slices.Equal(c.RedirectTo, tt.redirct) {
			t.Errorf("%s: Classify = %s redirect %v (%q), want %s redirect %v", tt.name, c.Kind, c.RedirectTo, c.Evidence, tt.want, tt.redirct)
		}
	}
}

func TestClassifyCorpusDetails(t *testing.T) {
	t.Parallel()
	c := Classify(parseCorpus(t, "22-ooo-redirect.eml"))
	if !slices.Equal(c.RedirectTo, []string{"foi.requests@newtrust-022.nhs.example"}) {
		t.Errorf("22: RedirectTo = %v", c.RedirectTo)
	}
	c = Classify(parseCorpus(t, "30-refusal-s12.eml"))
	if !c.CostLimit || !slices.Equal(c.Sections, []string{"s.12"}) {
		t.Errorf("30: CostLimit %v Sections %v, want true [s.12]", c.CostLimit, c.Sections)
	}
	c = Classify(parseCorpus(t, "31-refusal-s40.eml"))
	if !c.Refused || !slices.Equal(c.Sections, []string{"s.40(2)"}) {
		t.Errorf("31: Refused %v Sections %v, want true [s.40(2)]", c.Refused, c.Sections)
	}
	c = Classify(parseCorpus(t, "32-not-held.eml"))
	if !c.NotHeld {
		t.Error("32: NotHeld = false")
	}
	c = Classify(parseCorpus(t, "34-partial.eml"))
	if !c.Partial {
		t.Error("34: Partial = false")
	}
	c = Classify(parseCorpus(t, "26-casework-ack-auto-generated.eml"))
	if !slices.ContainsFunc(c.Evidence, func(s string) bool { return strings.Contains(s, "Auto-Submitted") }) {
		t.Errorf("26: evidence %q does not say it was sent automatically", c.Evidence)
	}
}
