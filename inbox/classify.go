package inbox

import (
	"fmt"
	"foi/lifecycle"
	"mime"
	"regexp"
	"slices"
	"strings"
)

// Outcomes suggested for a substantive response. They are the names of the
// request states the user confirms.
const (
	OutcomeSuccessful = "successful"
	OutcomePartial    = "partially_successful"
	OutcomeRefused    = "refused"
	OutcomeNotHeld    = "not_held"
)

// Classification is a suggestion of what a message is, with the evidence for
// it. It is never acted on as certain: bounces and auto-replies are recognised
// from headers and report parts reliably, but the content kinds come from
// phrases in the text, and the user confirms them.
type Classification struct {
	Kind     lifecycle.Kind
	Evidence []string // what was seen, e.g. `Auto-Submitted: auto-replied`, `acknowledgement: "has been logged"`

	// Bounce details (Kind == lifecycle.KindBounce).
	FailedRecipients  []string // the addresses the report is about
	Action            string   // DSN Action: "failed", "delayed"; "" if the report has none
	Status            string   // DSN or enhanced status code, e.g. "5.1.1"
	Diagnostic        string   // the remote server's words, e.g. "550 5.1.1 User unknown"
	Temporary         bool     // delivery is only delayed: not a failure yet
	OriginalMessageID string   // Message-ID of the returned message, to match the bounce

	// RedirectTo lists addresses the message asks us to write to instead
	// ("this mailbox is no longer monitored, please resend to ..."). It is
	// set for a redirect (lifecycle.KindRedirect), and beside another kind
	// when a letter says its address takes no replies and names another.
	RedirectTo []string

	// ReviewWithin is the time the authority's review-rights paragraph
	// gives for asking for an internal review, as it states it ("40
	// working days", "two months"), with ReviewCount and ReviewUnit
	// ("working_days", "days", "weeks", "months") read from it; "" when it
	// states none. It is shown beside the statutory limit, not used for it.
	ReviewWithin string `json:",omitempty"`
	ReviewCount  int    `json:",omitempty"`
	ReviewUnit   string `json:",omitempty"`

	// Hints for a substantive response, found in the new (unquoted) text.
	Sections  []string // exemptions and limits cited, canonical: "s.12", "s.40(2)", "reg.12(4)(b)"
	NotHeld   bool     // "we do not hold", "not held"
	CostLimit bool     // s.12, "appropriate limit", "£450", "18 hours"
	Partial   bool     // "partially", "some of the information"
	Refused   bool     // "exempt", "withheld", "refuse"
	Outcome   string   // suggested final state for lifecycle.KindSubstantive, one of the Outcome constants

	strong bool // a strong phrase decided the kind (not stored)
}

// Classify suggests what kind of message m is: ClassifyWith with no
// attachment text besides that of any attached Outlook message.
func Classify(m *Message) Classification {
	return ClassifyWith(m, nil)
}

// ClassifyWith suggests what kind of message m is, reading attached, the
// text of its attached files (package extract reads it at filing), where
// the body alone does not tell. Bounces are recognised first, then
// automatic replies (from their headers and subjects), and only then is the
// text read for the kinds of letter an authority sends. The text read is
// the subject and the new part of the body: quoted earlier messages, which
// include our own letter, are left out, and so is the review-rights
// paragraph every decision carries (review.go). A reply whose body says
// only "please find our response attached" is classified from the attached
// letter's text, and the text of an attached Outlook message counts as an
// attached letter. ClassifyWith never fails; when nothing is recognised the
// Kind is lifecycle.KindUnknown.
func ClassifyWith(m *Message, attached []string) Classification {
	return classifyWith(m, attached, scanLits)
}

// classifyWith is ClassifyWith, scan telling which expressions need not be
// run on a text (classify_guard.go); a scan that returns nil runs every
// one.
func classifyWith(m *Message, attached []string, scan func(string) seenLits) Classification {
	if m == nil {
		return Classification{Kind: lifecycle.KindUnknown}
	}
	body := m.newText()
	var seenBody seenLits
	if m.d.ready {
		seenBody = m.d.seen
		if m.d.isBounce {
			return m.d.bounce
		}
	} else {
		seenBody = scan(body)
		if c, ok := classifyBounceIn(m, body, seenBody); ok {
			return c
		}
	}
	content := classifyContent(m, body, "", scan)
	if thin(content) {
		if letters := attachedLetters(m, attached); letters != "" {
			if c := classifyContent(m, body, letters, scan); c.Kind != lifecycle.KindUnknown {
				content = c
			}
		}
	}
	if c, ok := classifyAutoReply(m, body, content, seenBody); ok {
		return c
	}
	if len(content.RedirectTo) > 0 && content.Kind == lifecycle.KindUnknown {
		content.Kind = lifecycle.KindRedirect
		content.Evidence = append(content.Evidence, "the address takes no replies and names another")
	}
	return content
}

// Bounces.

var (
	bounceSubject = guardRe(regexp.MustCompile(`(?i)undeliverable|undelivered mail|delivery status notification|mail delivery (?:failed|failure|system)|delivery failure|returned mail|failure notice|delivery has failed|message not delivered|non-?delivery|could not be delivered|unzustellbar|nicht zustellbar|delivery (?:delayed|notification)`))
	bounceBody    = guardRe(regexp.MustCompile(`(?i)could not be delivered|delivery (?:has )?failed|undeliverable|permanent (?:error|failure)|delivery to the following recipients? failed|address rejected|user unknown|mailbox unavailable|does not exist|recipient not found`))
	statusCode    = regexp.MustCompile(`\b([245]\.[0-9]{1,3}\.[0-9]{1,3})\b`)
	smtpReplyLine = regexp.MustCompile(`(?i)\b5[0-9][0-9][ -]|\b[245]\.[0-9]{1,3}\.[0-9]{1,3}\b`)
	rcptToAddr    = regexp.MustCompile(`(?i)rcpt to:\s*<([^<>\s]+@[^<>\s]+)>`)
	loneAddrLine  = regexp.MustCompile(`^\s*<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>?\s*:?\s*$`)
	messageCopy   = regexp.MustCompile(`(?im)^-+ ?(?:this is a copy of|original message|the message that you sent|below this line)`)
)

// isDaemon reports whether addr is a mail system's own address.
func isDaemon(a Address) bool {
	local := strings.ToLower(a.Addr)
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	switch local {
	case "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "maildelivery", "mail.delivery.system":
		return true
	}
	if strings.HasPrefix(local, "microsoftexchange") || strings.HasPrefix(local, "mailer-daemon") {
		return true
	}
	name := strings.ToLower(a.Name)
	return strings.Contains(name, "mail delivery") || strings.Contains(name, "mailer-daemon")
}

// rootType returns the media type and parameters of the top-level
// Content-Type, tolerating errors.
func rootType(m *Message) (string, map[string]string) {
	v := headerGet(m.Header, "Content-Type")
	t, params, err := mime.ParseMediaType(v)
	if err != nil {
		t, _, _ = strings.Cut(v, ";")
		params = map[string]string{}
		for _, kv := range splitParams(v) {
			params[kv[0]] = kv[1]
		}
	}
	return strings.ToLower(strings.TrimSpace(t)), params
}

// maxRecipients bounds the recipients read from one bounce.
const maxRecipients = 100

// dsnRecipient is one per-recipient block of a delivery-status report.
type dsnRecipient struct {
	addr, action, status, diagnostic string
}

// deliveryStatus parses the first delivery-status part of m (RFC 3464): a
// per-message block, then one block per recipient.
func deliveryStatus(m *Message) (rcpts []dsnRecipient, found bool) {
	for _, a := range m.Attachments {
		if a.ContentType != "message/delivery-status" && a.ContentType != "message/global-delivery-status" {
			continue
		}
		text := cleanText(toUTF8(string(a.Data)))
		for i, block := range strings.Split(text, "\n\n") {
			if len(rcpts) >= maxRecipients {
				break
			}
			f := dsnFields(block)
			addr := dsnValue(f["final-recipient"])
			if addr == "" {
				addr = dsnValue(f["original-recipient"])
			}
			if i == 0 && addr == "" {
				continue // the per-message block
			}
			if addr == "" && f["action"] == "" && f["status"] == "" {
				continue
			}
			rcpts = append(rcpts, dsnRecipient{
				addr:       addr,
				action:     strings.ToLower(strings.TrimSpace(f["action"])),
				status:     firstField(f["status"]),
				diagnostic: dsnValue(f["diagnostic-code"]),
			})
		}
		return rcpts, true
	}
	return nil, false
}

// dsnFields reads "Name: value" lines with continuations into a map with
// lower-case keys.
func dsnFields(block string) map[string]string {
	f := map[string]string{}
	last := ""
	for _, line := range strings.Split(block, "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			f[last] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		last = strings.ToLower(strings.TrimSpace(k))
		if _, seen := f[last]; !seen {
			f[last] = strings.TrimSpace(v)
		}
	}
	return f
}

// dsnValue drops the type prefix of a typed DSN field ("rfc822; a@b",
// "smtp; 550 ...").
func dsnValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return cleanLine(strings.Trim(strings.TrimSpace(v), "<>"), 300)
}

// failedRecipients lists the addresses a bounce reports on, from
// X-Failed-Recipients and any delivery-status part.
func failedRecipients(m *Message) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		a = strings.Trim(strings.TrimSpace(a), "<>")
		if k := strings.ToLower(a); a != "" && strings.Contains(a, "@") && !seen[k] && len(out) < maxRecipients {
			seen[k] = true
			out = append(out, a)
		}
	}
	for _, v := range headerValues(m.Header, "X-Failed-Recipients") {
		for _, a := range strings.Split(v, ",") {
			add(a)
		}
	}
	rcpts, _ := deliveryStatus(m)
	for _, r := range rcpts {
		if r.action == "" || r.action == "failed" || r.action == "delayed" {
			add(r.addr)
		}
	}
	return out
}

// classifyBounce recognises delivery reports; body is the unquoted text.
func classifyBounce(m *Message, body string) (Classification, bool) {
	return classifyBounceIn(m, body, scanLits(body))
}

// classifyBounceIn is classifyBounce, body having been scanned into seen.
func classifyBounceIn(m *Message, body string, seen seenLits) (Classification, bool) {
	c := Classification{Kind: lifecycle.KindBounce}
	ctype, params := rootType(m)
	report := ctype == "multipart/report"
	if report && strings.EqualFold(params["report-type"], "delivery-status") {
		c.Evidence = append(c.Evidence, "Content-Type: multipart/report; report-type=delivery-status")
	}
	rcpts, hasDSN := deliveryStatus(m)
	if hasDSN {
		c.Evidence = append(c.Evidence, "message/delivery-status part")
	}
	xfr := headerValues(m.Header, "X-Failed-Recipients")
	if len(xfr) > 0 {
		c.Evidence = append(c.Evidence, "X-Failed-Recipients: "+cleanLine(strings.Join(xfr, ", "), 200))
	}
	daemon := isDaemon(m.From)
	subject := bounceSubject.FindShort(m.Subject)
	nullPath := strings.TrimSpace(headerGet(m.Header, "Return-Path")) == "<>"
	if mc := messageCopy.FindStringIndex(body); mc != nil {
		body = body[:mc[0]]
	}
	// An automatic reply is sent with an empty Return-Path too (RFC 3834
	// section 3.3 asks for it) and may say a message "was not delivered"
	// to a person: without a report, it is not a bounce.
	// The body may be cut short here: what is not in the whole body is
	// not in its beginning, so seen still guards it.
	autoReply := looksAutoReplied(m, body, seen)
	var gateway, gatewayWhy string
	var isGateway bool
	if seen == nil || mayBeGatewayBounce(m) {
		gateway, gatewayWhy, isGateway = gatewayBounce(m, body)
	}
	switch {
	case len(c.Evidence) > 0:
	case autoReply && !daemon && !isGateway:
		return c, false
	case subject != "" && (daemon || nullPath):
		c.Evidence = append(c.Evidence, fmt.Sprintf("bounce subject %q from %s", subject, fromLabel(m, nullPath)))
	case daemon && bounceBody.MatchString(body, seen):
		c.Evidence = append(c.Evidence, fmt.Sprintf("from %s: %q", m.From.Addr, bounceBody.re.FindString(body)))
	case isGateway:
		c.Evidence = append(c.Evidence, gateway)
	default:
		return c, false
	}

	// The recipients, action, status and diagnostic: from the report when
	// there is one, else from the text.
	var failed, delayed, other []dsnRecipient
	for _, r := range rcpts {
		switch {
		case r.action == "failed" || r.action == "" && strings.HasPrefix(r.status, "5"):
			failed = append(failed, r)
		case r.action == "delayed" || r.action == "" && strings.HasPrefix(r.status, "4"):
			delayed = append(delayed, r)
		default:
			other = append(other, r)
		}
	}
	pick := failed
	switch {
	case len(failed) > 0:
		c.Action = "failed"
	case len(delayed) > 0:
		pick, c.Action, c.Temporary = delayed, "delayed", true
	case len(other) > 0:
		// Only delivered/relayed/expanded: a success report, not a bounce.
		c.Kind = lifecycle.KindAutoReply
		c.Action = other[0].action
		c.Evidence = append(c.Evidence, "delivery report with Action: "+other[0].action)
		return c, true
	}
	for _, r := range pick {
		if r.addr != "" && !slices.Contains(c.FailedRecipients, r.addr) {
			c.FailedRecipients = append(c.FailedRecipients, r.addr)
		}
		if c.Status == "" {
			c.Status = r.status
		}
		if c.Diagnostic == "" {
			c.Diagnostic = r.diagnostic
		}
	}
	for _, a := range failedRecipients(m) {
		if !slices.ContainsFunc(c.FailedRecipients, func(x string) bool { return strings.EqualFold(x, a) }) && !c.Temporary {
			c.FailedRecipients = append(c.FailedRecipients, a)
		}
	}
	if len(c.FailedRecipients) == 0 && isGateway {
		var us string
		if len(m.To) > 0 {
			us = m.To[0].Addr
		}
		c.FailedRecipients = quotedRecipients(m.Text, us)
	}
	if len(c.FailedRecipients) == 0 {
		c.FailedRecipients = textRecipients(body, m.From.Addr)
	}
	if c.Status == "" {
		if sm := statusCode.FindStringSubmatch(body); sm != nil {
			c.Status = sm[1]
		}
	}
	if c.Diagnostic == "" && isGateway {
		c.Diagnostic = gatewayWhy
	}
	if c.Diagnostic == "" {
		for _, line := range strings.Split(body, "\n") {
			if smtpReplyLine.MatchString(line) {
				c.Diagnostic = cleanLine(line, 300)
				break
			}
		}
	}
	if !c.Temporary && strings.HasPrefix(c.Status, "4.") && len(failed) == 0 {
		c.Temporary = true
	}
	if ids := returnedMessageIDs(m); len(ids) > 0 {
		c.OriginalMessageID = ids[0]
	}
	if c.Temporary {
		c.Evidence = append(c.Evidence, "delivery delayed, not failed: the server is still trying")
	}
	return c, true
}

// looksAutoReplied reports whether m carries the marks of an automatic
// reply: Auto-Submitted: auto-replied, the X-Autoreply family, Precedence:
// auto_reply, an out-of-office subject, or an absence or not-monitored
// notice in the text.
func looksAutoReplied(m *Message, body string, seen seenLits) bool {
	if v := strings.ToLower(strings.TrimSpace(headerGet(m.Header, "Auto-Submitted"))); strings.HasPrefix(v, "auto-replied") {
		return true
	}
	for _, h := range autoHeaders {
		if v := strings.TrimSpace(headerGet(m.Header, h)); v != "" && !strings.EqualFold(v, "no") {
			return true
		}
	}
	if strings.EqualFold(strings.TrimSpace(headerGet(m.Header, "Precedence")), "auto_reply") {
		return true
	}
	return oooSubject.MatchShort(m.Subject) || absenceGuard.MatchString(body, seen) || unmonitoredGuard.MatchString(body, seen)
}

func fromLabel(m *Message, nullPath bool) string {
	if isDaemon(m.From) {
		return m.From.Addr
	}
	if nullPath {
		return "null Return-Path <>"
	}
	return m.From.Addr
}

// textRecipients finds failed addresses in a bounce written for people: "RCPT
// TO:<a@b>" and lines that hold only an address.
func textRecipients(body, from string) []string {
	var out []string
	add := func(a string) {
		if !strings.EqualFold(a, from) && !slices.Contains(out, a) && len(out) < 10 {
			out = append(out, a)
		}
	}
	for _, sm := range rcptToAddr.FindAllStringSubmatch(body, 10) {
		add(sm[1])
	}
	for _, line := range strings.Split(body, "\n") {
		if sm := loneAddrLine.FindStringSubmatch(line); sm != nil {
			add(sm[1])
		}
	}
	return out
}

// Automatic replies.

var (
	oooSubject = guardRe(regexp.MustCompile(`(?i)automatic reply|auto(?:matic)?[- ]?(?:reply|response|antwort)|autoreply|out of (?:the )?office|abwesenheitsnotiz|abwesend|away from (?:the |my )?office|on (?:annual )?leave|r[ée]ponse automatique|respuesta autom[áa]tica|fr[åa]nvaro|afwezig|currently away|^\s*away\b`))
	// readReceipt: Outlook's "Read:"/"Not read:", Lotus Notes' "Return
	// Receipt", and their translations.
	readReceipt = regexp.MustCompile(`(?i)^\s*(?:read|not read|gelesen|ungelesen|lu|non lu)\s*:|^\s*return receipt\b|^\s*read receipt\b|^\s*lesebest[äa]tigung\b`)
	// absenceBody is a person's absence notice.
	absenceBody = regexp.MustCompile(`(?i)\b(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|away from (?:the |my )?(?:office|desk)|away|on (?:annual |parental |maternity |paternity |sick |study )?leave|not in the office|working part[- ]time)|\b[a-z]+ is (?:currently )?(?:out of (?:the )?office|away from (?:the |my |his |her |their )?(?:office|desk)|on (?:annual |parental |maternity |paternity |sick |study )?leave)|\bout of (?:the )?office (?:until|from|on|and|today|this)|\b(?:i )?(?:will|shall) (?:be )?(?:back|return(?:ing)?) (?:to the office |to work )?(?:on|in|at)\b|limited (?:or no )?access to (?:my )?e-?mails?|\bon my return\b|\bwhen i return\b`)
	// unmonitoredBody is a notice that the address takes no mail.
	unmonitoredBody = regexp.MustCompile(`(?i)(?:this|the) (?:e-?mail |mail)?(?:box|address|account|inbox) (?:is|has) (?:no longer|not) (?:being )?(?:monitored|in use|active|checked|read)|\bno longer (?:being )?monitored\b|(?:is|are) (?:not|no longer) (?:being )?(?:monitored|read)\b|(?:has|have) been (?:closed|decommissioned|retired|deactivated)\b|(?:this|the) (?:e-?mail |mail)?(?:box|address|account|inbox) is (?:now )?(?:closed|deactivated|retired)\b|\b(?:please )?do not reply to this (?:e-?mail|message|address)|\bthis is an? (?:unmonitored|no-?reply) (?:e-?mail |mail)?(?:box|address|account)`)
	noLongerUsed    = regexp.MustCompile(`(?i)no longer (?:be )?(?:monitored|in use|active|checked|used)|not (?:being )?monitored|has (?:been )?(?:changed|moved|closed)|new (?:e-?mail )?address|do not reply|no-?reply|unmonitored`)
	redirectSend    = regexp.MustCompile(`(?i)\b(?:re-?send|send|sent|forward(?:ed)?|re-?direct(?:ed)?|submit(?:ted)?|direct(?:ed)?|address(?:ed)?|write|written)\b[^.!?@\n]{0,60}?\bto\s*:?\s*["<(\[]?\s*$`)
	redirectUse     = regexp.MustCompile(`(?i)\b(?:e-?mail|contact|use|at)\s*:?\s*["<(\[]?\s*$`)
	redirectNew     = regexp.MustCompile(`(?i)\bnew (?:e-?mail )?address(?: is)?\s*:?\s*["<(\[]?\s*$|\b(?:has|have) (?:moved|changed) to\s*:?\s*["<(\[]?\s*$`)
	redirectAsk     = regexp.MustCompile(`(?i)\bplease\s+(?:e-?mail|contact|use|write\s+to)\s*:?\s*["<(\[]?\s*$`)
	emailAddr       = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
)

// autoHeaders lists the header fields automatic responders set.
var autoHeaders = []string{"X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder"}

// classifyAutoReply recognises automatic replies; body is the unquoted text
// and content what the letter phrases suggest. Decisive marks (RFC 3834's
// Auto-Submitted: auto-replied, the X-Autoreply family, Precedence:
// auto_reply, a read receipt, an out-of-office subject, in the Subject or
// in the Thread-Topic that Exchange keeps when a gateway rewrites the
// Subject) make it an automatic reply whatever it says. Marks of mail sent
// by a program (Auto-Submitted: auto-generated, Exchange's
// X-Auto-Response-Suppress and X-MS-Exchange-Inbox-Rules-Loop, a gateway's
// own headers: gateway.go) make it one only when the text is an absence
// notice or says nothing else: a case-management system's acknowledgement is
// an acknowledgement. An absence notice ("I am out of the office until ...")
// is an automatic reply even with none of these, as gateways such as
// MessageLabs and Mimecast pass them on stripped of their headers, and even
// when it says the mail "has been received". A notice that the mailbox is
// not monitored is one when the text says nothing else. An automatic reply
// that names an address to write to instead is a redirect.
func classifyAutoReply(m *Message, body string, content Classification, seen seenLits) (Classification, bool) {
	c := Classification{Kind: lifecycle.KindAutoReply}
	decisive := false
	generated := false
	if v := strings.ToLower(strings.TrimSpace(headerGet(m.Header, "Auto-Submitted"))); v != "" {
		kind, _, _ := strings.Cut(v, ";")
		kind = strings.TrimSpace(kind)
		if kind != "no" {
			c.Evidence = append(c.Evidence, "Auto-Submitted: "+kind)
			if kind == "auto-replied" {
				decisive = true
			} else {
				generated = true
			}
		}
	}
	for _, h := range autoHeaders {
		if v := strings.TrimSpace(headerGet(m.Header, h)); v != "" && !strings.EqualFold(v, "no") {
			c.Evidence = append(c.Evidence, h+": "+cleanLine(v, 40))
			decisive = true
		}
	}
	prec := strings.ToLower(strings.TrimSpace(headerGet(m.Header, "Precedence")))
	if prec == "auto_reply" {
		c.Evidence = append(c.Evidence, "Precedence: auto_reply")
		decisive = true
	}
	if ev := programHeaders(m); len(ev) > 0 {
		c.Evidence = append(c.Evidence, ev...)
		generated = true
	}
	ctype, params := rootType(m)
	if ctype == "multipart/report" && strings.EqualFold(params["report-type"], "disposition-notification") {
		c.Evidence = append(c.Evidence, "read receipt (disposition-notification report)")
		decisive = true
	} else if s := readReceipt.FindString(m.Subject); s != "" {
		c.Evidence = append(c.Evidence, fmt.Sprintf("read receipt subject %q", strings.TrimSpace(s)))
		decisive = true
	} else if hasDispositionNotification(m) {
		c.Evidence = append(c.Evidence, "read receipt (disposition-notification part)")
		decisive = true
	}
	if s := oooSubject.FindShort(m.Subject); s != "" {
		c.Evidence = append(c.Evidence, fmt.Sprintf("subject %q", strings.TrimSpace(s)))
		decisive = true
	} else if tt := cleanLine(decodeWords(headerGet(m.Header, "Thread-Topic")), 200); tt != "" {
		if s := oooSubject.FindShort(tt); s != "" {
			c.Evidence = append(c.Evidence, fmt.Sprintf("Thread-Topic %q (the subject was rewritten)", strings.TrimSpace(s)))
			decisive = true
		}
	}
	absent := absenceGuard.FindString(body, seen)
	if absent != "" {
		c.Evidence = append(c.Evidence, fmt.Sprintf("out of office: %q", snippet(absent)))
	}
	unwatched := unmonitoredGuard.FindString(body, seen)
	if unwatched != "" {
		c.Evidence = append(c.Evidence, fmt.Sprintf("mailbox not monitored: %q", snippet(unwatched)))
	}
	bulk := prec == "bulk" || prec == "junk" || prec == "list"
	if bulk && (absent != "" || unwatched != "") {
		c.Evidence = append(c.Evidence, "Precedence: "+prec)
		decisive = true
	}
	quiet := content.Kind == lifecycle.KindUnknown || content.Kind == lifecycle.KindRedirect

	switch {
	case decisive:
	case absent != "" && (quiet || content.Kind == lifecycle.KindAcknowledgement || !content.strong):
		// An absence notice that also says the mail was received.
	case generated && absent == "" && !quiet:
		// An automated letter from a case-management system, such as an
		// acknowledgement: what it says matters more than how it was sent.
		content.Evidence = append(content.Evidence, "sent automatically ("+c.Evidence[0]+")")
		return content, true
	case generated:
	case unwatched != "" && quiet:
	default:
		return c, false
	}
	c.RedirectTo = redirects(body, m.From.Addr)
	if len(c.RedirectTo) > 0 && unwatched != "" {
		// The address takes no mail and names another: a redirect. An
		// absence notice naming a colleague's address stays an
		// automatic reply, with the address offered.
		c.Kind = lifecycle.KindRedirect
	}
	for _, a := range c.RedirectTo {
		c.Evidence = append(c.Evidence, "asks to write to "+a+" instead")
	}
	return c, true
}

// redirects finds addresses that an automatic reply asks us to use instead of
// the one we wrote to: "please resend your request to x@y", "for FOI requests
// please email x@y", or, in a mailbox "no longer monitored", "contact x@y".
//
// Addresses in the review-rights paragraph (where to ask for a review, the
// Commissioner's) are where to complain, not a new address, and are left
// out.
func redirects(body, from string) []string {
	body, _ = splitReviewRights(body)
	retired := noLongerUsed.MatchString(body)
	var out []string
	for _, loc := range emailAddr.FindAllStringIndex(body, 20) {
		addr := strings.TrimRight(body[loc[0]:loc[1]], ".")
		if strings.EqualFold(addr, from) || slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, addr) }) || regulatorAddr(addr) {
			continue
		}
		before := body[max(0, loc[0]-120):loc[0]]
		if i := strings.LastIndex(before, "\n\n"); i >= 0 {
			before = before[i+2:]
		}
		if redirectSend.MatchString(before) || redirectAsk.MatchString(before) || redirectNew.MatchString(before) || retired && redirectUse.MatchString(before) {
			out = append(out, strings.ToLower(addr))
		}
	}
	return out
}

// regulatorAddr reports whether addr is the Information Commissioner's or
// the Scottish Information Commissioner's.
func regulatorAddr(addr string) bool {
	d := domainOf(addr)
	return d == "ico.org.uk" || strings.HasSuffix(d, ".ico.org.uk") || d == "itspublicknowledge.info" || strings.HasSuffix(d, ".itspublicknowledge.info")
}

// Letters from authorities.

// phraseSpec is one line of the phrase table: a pattern (lower case, matched
// against lower-cased text; each space matches any run of white space, so
// phrases survive line wrapping) that is evidence for a kind. A strong phrase decides the kind on its own; a
// weak one only when no strong phrase of any kind is present.
type phraseSpec struct {
	kind    lifecycle.Kind
	strong  bool
	pattern string
}

const (
	strong = true
	weak   = false
)

// kindPriority orders the letter kinds for the decision: when strong phrases of
// several kinds appear, the first kind here wins. A fee notice or an extension
// letter often names exemptions too, and most letters mention the 20 working
// days, so the rarer, more specific kinds come first. An identity challenge
// is often worded as a clarification ("before we can process your request we
// need your full name"), so it comes before everything.
var kindPriority = []lifecycle.Kind{lifecycle.KindIdentity, lifecycle.KindFeeNotice, lifecycle.KindExtension, lifecycle.KindClarification, lifecycle.KindSubstantive, lifecycle.KindAcknowledgement}

// letterPhrases is the table that Classify reads letters with.
var letterPhrases = compilePhrases([]phraseSpec{
	// Fee notice: FOIA s.9 (EIR reg.8): a fee is due before the information is sent.
	{lifecycle.KindFeeNotice, strong, `fees? notice`},
	{lifecycle.KindFeeNotice, strong, `fee of £ ?[0-9]`},
	{lifecycle.KindFeeNotice, strong, `\bsection 9\b|\bs\. ?9\b`},
	{lifecycle.KindFeeNotice, strong, `(?:fee|payment) (?:must|should|needs to|will need to) be (?:paid|received|made)`},
	{lifecycle.KindFeeNotice, strong, `\b(?:on|upon) receipt of (?:the |your )?(?:payment|fee)|\bonce (?:the |your )?(?:payment|fee) (?:is|has been) (?:received|paid)`},
	{lifecycle.KindFeeNotice, weak, `\b(?:cheque|postal order|bacs)\b`},
	{lifecycle.KindFeeNotice, weak, `disbursements?`},

	// Public interest extension: FOIA s.10(3).
	{lifecycle.KindExtension, strong, `\bsection 10 ?\( ?3 ?\)|\bs\. ?10 ?\( ?3 ?\)`},
	{lifecycle.KindExtension, strong, `(?:further|additional|more|extra) time to (?:consider|complete|carry out|conduct|assess) (?:the )?public interest`},
	{lifecycle.KindExtension, strong, `public interest (?:test )?extension`},
	{lifecycle.KindExtension, strong, `extend(?:ed|ing)? (?:the |our )?(?:time|deadline|time limit|response time|period) (?:for|to|by)`},
	{lifecycle.KindExtension, strong, `(?:will|shall) not be (?:able|in a position) to (?:respond|reply|provide (?:you with )?(?:a|our) response)(?: to you)? (?:within|by) (?:the )?(?:20|twenty)`},
	{lifecycle.KindExtension, weak, `public interest test`},
	{lifecycle.KindExtension, weak, `(?:considering|consider|weigh(?:ing)?) the public interest`},
	{lifecycle.KindExtension, weak, `qualified exemption`},

	// Clarification: FOIA s.1(3), the request is not clear enough to answer.
	{lifecycle.KindClarification, strong, `please clarify|(?:could|can|would) you (?:please )?clarify`},
	{lifecycle.KindClarification, strong, `\b(?:we|i) (?:would )?(?:require|need|request|seek|must ask for) (?:some |further |additional )?clarification`},
	{lifecycle.KindClarification, strong, `\bsection 1 ?\( ?3 ?\)|\bs\. ?1 ?\( ?3 ?\)`},
	{lifecycle.KindClarification, strong, `\bbefore (?:we|i) (?:can|are able to|am able to) (?:process|proceed with|respond to|deal with|answer|progress|consider) your request`},
	{lifecycle.KindClarification, strong, `(?:please|could you|can you|would you) (?:please )?(?:confirm|specify|explain|tell us) (?:which|what|whether|exactly)`},
	{lifecycle.KindClarification, strong, `it is (?:not clear|unclear) (?:what|which|whether)`},
	{lifecycle.KindClarification, strong, `\buntil (?:we|i) (?:have )?receive[d]? (?:your |the |this |that )?clarification`},
	{lifecycle.KindClarification, weak, `clarif(?:y|ication)`},

	// Substantive response: the answer itself.
	{lifecycle.KindSubstantive, strong, `please (?:find|see) (?:attached|enclosed|below) (?:(?:the|our|my|a) )?(?:trust'?s |council'?s |board'?s )?(?:response|reply|answer|information|requested|details|data|spreadsheet|documents?|job descriptions?)`},
	{lifecycle.KindSubstantive, strong, `(?:the |our )?(?:response|reply|information requested|requested information) (?:is |are |has been )?(?:attached|enclosed|set out below|as follows|provided below)`},
	{lifecycle.KindSubstantive, strong, `(?:the )?information (?:you )?(?:requested|asked for) (?:is|are|has been) (?:attached|enclosed|provided|set out|below|as follows)`},
	{lifecycle.KindSubstantive, strong, `answers? to your questions?`},
	{lifecycle.KindSubstantive, strong, `\b(?:i|we) can confirm (?:that )?(?:the (?:trust|council|board|organisation|authority) |we )?(?:holds?|has|have|employs?|does|do|currently)`},
	{lifecycle.KindSubstantive, strong, `\b(?:the trust|the council|the board|we) (?:currently )?(?:employs?|has|have) [0-9]+`},
	{lifecycle.KindSubstantive, strong, `refusal notice`},
	{lifecycle.KindSubstantive, strong, `exempt(?:ion)? (?:under|from disclosure|by virtue)`},
	{lifecycle.KindSubstantive, strong, `withh(?:eld|old|olding)`},
	{lifecycle.KindSubstantive, strong, `\b(?:we|i) (?:are|am) (?:unable|not able) to (?:provide|disclose|release|supply|comply)`},
	{lifecycle.KindSubstantive, strong, `vexatious|neither confirm nor deny`},
	{lifecycle.KindSubstantive, weak, `internal review`},
	{lifecycle.KindSubstantive, weak, `information commissioner`},
	{lifecycle.KindSubstantive, weak, `in response to your`},
	{lifecycle.KindSubstantive, weak, `open government licen[cs]e|\bre-?use\b`},

	// Acknowledgement: the request was received and logged.
	{lifecycle.KindAcknowledgement, strong, `acknowledg(?:e|es|ing|ement of) (?:the )?receipt`},
	{lifecycle.KindAcknowledgement, strong, `\b(?:this is to |we |i )acknowledge (?:your|the) (?:request|e-?mail)`},
	{lifecycle.KindAcknowledgement, strong, `has been (?:logged|registered|recorded|allocated|assigned)|\b(?:we|i) have (?:logged|registered|recorded)`},
	{lifecycle.KindAcknowledgement, strong, `(?:will|shall|aim to|endeavour to|should) (?:respond|reply|provide (?:you with )?a response|receive a (?:response|reply)|be in touch)(?: to you)?(?: to your request)? (?:promptly and )?(?:within|by|no later than|on or before)`},
	{lifecycle.KindAcknowledgement, strong, `\b(?:we|i) (?:have|has) received your (?:request|e-?mail)`},
	{lifecycle.KindAcknowledgement, weak, `(?:20|twenty) working days`},
	{lifecycle.KindAcknowledgement, weak, `thank you for your (?:request|e-?mail)`},
	{lifecycle.KindAcknowledgement, weak, `due date|(?:response|reply) (?:is )?due`},
})

// subjectPhrases are read in the subject only.
var subjectPhrases = compilePhrases([]phraseSpec{
	{lifecycle.KindAcknowledgement, strong, `acknowledg`},
	{lifecycle.KindClarification, strong, `clarification`},
	{lifecycle.KindExtension, strong, `extension|public interest`},
	{lifecycle.KindFeeNotice, strong, `fees? notice`},
	{lifecycle.KindSubstantive, strong, `\b(?:response|outcome|decision|disclosure)\b`},
})

type phrase struct {
	kind   lifecycle.Kind
	strong bool
	guardedRe
}

func compilePhrases(specs []phraseSpec) []phrase {
	out := make([]phrase, 0, len(specs))
	for _, s := range specs {
		p := strings.ReplaceAll(s.pattern, " ?", `\s*`)
		p = strings.ReplaceAll(p, " ", `\s+`)
		// No (?i): the text is lower-cased once instead, which lets the
		// matcher skip ahead to a pattern's literal prefix.
		out = append(out, phrase{kind: s.kind, strong: s.strong, guardedRe: guardRe(regexp.MustCompile(p))})
	}
	return out
}

// Hints for substantive responses.
var (
	sectionList = guardRe(regexp.MustCompile(`(?i)\b(?:sections?|secs?\.?|ss?\.)\s?([0-9]{1,2}(?:\s?\(\s?[0-9]{1,2}\s?\))?(?:\s?\(\s?[a-z]{1,4}\s?\))*(?:\s*(?:,|and|&|or)\s*[0-9]{1,2}(?:\s?\(\s?[0-9]{1,2}\s?\))?(?:\s?\(\s?[a-z]{1,4}\s?\))*)*)|\bs([0-9]{1,2}(?:\([0-9]{1,2}\))?(?:\([a-z]{1,4}\))*)(?:[^0-9a-z]|$)`))
	sectionOne  = regexp.MustCompile(`(?i)([0-9]{1,2})((?:\s?\(\s?[0-9]{1,2}\s?\))?(?:\s?\(\s?[a-z]{1,4}\s?\))*)`)
	regulation  = guardRe(regexp.MustCompile(`(?i)\b(?:regulations?|regs?\.?)\s?(12\s?\(\s?[45]\s?\)(?:\s?\(\s?[a-e]\s?\))?|13)(?:[^0-9(]|$)`))

	notHeldPhrases = compilePhrases([]phraseSpec{
		{lifecycle.KindSubstantive, strong, `(?:does|do|did) not hold`},
		{lifecycle.KindSubstantive, strong, `(?:does|do)n'?t hold`},
		{lifecycle.KindSubstantive, strong, `(?:is|are|was|were) not held`},
		{lifecycle.KindSubstantive, strong, `holds? no (?:recorded )?information`},
		{lifecycle.KindSubstantive, strong, `no (?:recorded )?information (?:is |was )?held`},
		{lifecycle.KindSubstantive, strong, `\b(?:we|i) have no (?:recorded )?information`},
		{lifecycle.KindSubstantive, strong, `(?:does|do) not (?:record|collect|keep|centrally record) (?:this|that|the|such)`},
	})
	costPhrases = compilePhrases([]phraseSpec{
		{lifecycle.KindSubstantive, strong, `appropriate limit`},
		{lifecycle.KindSubstantive, strong, `cost limit`},
		{lifecycle.KindSubstantive, strong, `£ ?(?:450|600)\b`},
		{lifecycle.KindSubstantive, strong, `\b(?:18|24) hours\b`},
		{lifecycle.KindSubstantive, strong, `exceed(?:s|ed)? the (?:cost|appropriate|fees?) limit`},
	})
	partialPhrases = compilePhrases([]phraseSpec{
		{lifecycle.KindSubstantive, strong, `partial(?:ly)?\b`},
		{lifecycle.KindSubstantive, strong, `some of the (?:requested )?information`},
		{lifecycle.KindSubstantive, strong, `(?:parts?|elements?) of (?:the|your) request`},
		{lifecycle.KindSubstantive, strong, `\bin part\b`},
	})
	refusedPhrases = compilePhrases([]phraseSpec{
		{lifecycle.KindSubstantive, strong, `refus(?:e|al|ed|ing)`},
		{lifecycle.KindSubstantive, strong, `exempt(?:ion)?`},
		{lifecycle.KindSubstantive, strong, `withh(?:eld|old|olding)`},
		{lifecycle.KindSubstantive, strong, `(?:unable|not able) to (?:provide|disclose|release|supply|comply)`},
		{lifecycle.KindSubstantive, strong, `vexatious|neither confirm nor deny`},
	})
)

// exemptionSection reports whether a FOIA (or FOISA) section number is one a
// refusal cites: the cost limit (12), vexatious requests (14) and the
// exemptions (21 to 44).
func exemptionSection(n int) bool {
	return n == 12 || n == 14 || n >= 21 && n <= 44
}

// citedSections lists the exemption sections and EIR regulations cited in
// text, canonical ("s.40(2)", "reg.12(4)(b)"), in order of appearance.
func citedSections(text string) []string {
	return citedSectionsIn(text, nil)
}

// citedSectionsIn is citedSections, text having been scanned into seen.
func citedSectionsIn(text string, seen seenLits) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, sm := range fastSectionList.FindAllStringSubmatch(text, 50, seen) {
		list := sm[1] + sm[2]
		for _, one := range sectionOne.FindAllStringSubmatch(list, 10) {
			var n int
			fmt.Sscanf(one[1], "%d", &n)
			if exemptionSection(n) {
				add("s." + one[1] + compact(one[2]))
			}
		}
	}
	for _, sm := range regulation.FindAllStringSubmatch(text, 20, seen) {
		add("reg." + compact(sm[1]))
	}
	return out
}

func compact(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// classifyContent reads the subject, the new part of the body and letters,
// the text of attached letters ("" when they are not read). The
// review-rights paragraph is set aside first (review.go): it says where to
// complain, not what was decided, and it gives the review deadline.
func classifyContent(m *Message, body, letters string, scan func(string) seenLits) Classification {
	c := Classification{Kind: lifecycle.KindUnknown}
	subject := strings.ToLower(m.Subject)
	full := body
	if letters != "" {
		full += "\n\n" + letters
	}
	decision, rights, seenDecision := splitRights(full, scan)
	text := subject + "\n" + strings.ToLower(decision)
	seen := scan(text)

	strongs := map[lifecycle.Kind][]string{}
	weaks := map[lifecycle.Kind][]string{}
	note := func(k lifecycle.Kind, isStrong bool, ev string) {
		if isStrong {
			strongs[k] = append(strongs[k], ev)
		} else {
			weaks[k] = append(weaks[k], ev)
		}
	}
	if letters != "" {
		note(lifecycle.KindSubstantive, weak, "read from the attached letter, the body says little")
	}
	for _, p := range subjectPhrases {
		if s := p.re.FindString(subject); s != "" {
			note(p.kind, p.strong, fmt.Sprintf("%s: subject %q", p.kind, snippet(s)))
		}
	}
	for _, p := range letterPhrases {
		if s := p.FindString(text, seen); s != "" {
			note(p.kind, p.strong, fmt.Sprintf("%s: %q", p.kind, snippet(s)))
		}
	}
	for _, p := range identityPhrases {
		if s := p.FindString(text, seen); s != "" {
			note(p.kind, p.strong, fmt.Sprintf("asks for a name: %q", snippet(s)))
		}
	}
	if rights != "" {
		note(lifecycle.KindSubstantive, weak, "substantive: review-rights paragraph (internal review, Information Commissioner)")
		c.ReviewWithin, c.ReviewCount, c.ReviewUnit = reviewDeadline(rights)
		if c.ReviewWithin != "" {
			note(lifecycle.KindSubstantive, weak, "states a review deadline: "+c.ReviewWithin)
		}
	}

	// Substantive hints.
	c.Sections = citedSectionsIn(text, seen)
	if len(c.Sections) > 0 {
		note(lifecycle.KindSubstantive, strong, "substantive: cites "+strings.Join(c.Sections, ", "))
	}
	if s := firstMatch(notHeldPhrases, text, seen); s != "" {
		c.NotHeld = true
		note(lifecycle.KindSubstantive, strong, fmt.Sprintf("not held: %q", snippet(s)))
	}
	if s := firstMatch(costPhrases, text, seen); s != "" || slices.Contains(c.Sections, "s.12") {
		c.CostLimit = true
		if s != "" {
			note(lifecycle.KindSubstantive, strong, fmt.Sprintf("cost limit: %q", snippet(s)))
		}
	}
	if s := firstMatch(partialPhrases, text, seen); s != "" {
		c.Partial = true
		note(lifecycle.KindSubstantive, weak, fmt.Sprintf("partial: %q", snippet(s)))
	}
	if s := firstMatch(refusedPhrases, text, seen); s != "" {
		c.Refused = true
		note(lifecycle.KindSubstantive, weak, fmt.Sprintf("refusal: %q", snippet(s)))
	}
	if hasDocument(m) {
		note(lifecycle.KindSubstantive, weak, "substantive: a document is attached")
	}
	if unmonitoredGuard.MatchString(decision, seenDecision) {
		c.RedirectTo = redirects(decision, m.From.Addr)
	}

	for _, k := range kindPriority {
		if len(strongs[k]) > 0 {
			c.Kind, c.strong = k, true
			break
		}
	}
	if c.Kind == lifecycle.KindUnknown {
		for _, k := range kindPriority {
			if len(weaks[k]) > 0 {
				c.Kind = k
				break
			}
		}
	}
	if c.Kind == lifecycle.KindUnknown {
		c.ReviewWithin, c.ReviewCount, c.ReviewUnit = "", 0, ""
		return c
	}
	c.Evidence = append(c.Evidence, strongs[c.Kind]...)
	c.Evidence = append(c.Evidence, weaks[c.Kind]...)
	for _, a := range c.RedirectTo {
		c.Evidence = append(c.Evidence, "says its address takes no replies; write to "+a)
	}
	if c.Kind == lifecycle.KindSubstantive {
		c.Outcome = outcome(c)
	} else {
		c.ReviewWithin, c.ReviewCount, c.ReviewUnit = "", 0, ""
	}
	return c
}

// absenceGuard, unmonitoredGuard and reviewRightsGuard guard absenceBody,
// unmonitoredBody and reviewRightsMark (review.go) on long texts.
var (
	absenceGuard      = guardRe(absenceBody)
	unmonitoredGuard  = guardRe(unmonitoredBody)
	reviewRightsGuard = guardRe(reviewRightsMark)
)

// mayBeGatewayBounce is false when gatewayBounce (gateway.go) cannot find
// a gateway's notice in m, whatever its body says: it needs a gateway's
// address or a subject saying that the letter was stopped.
func mayBeGatewayBounce(m *Message) bool {
	local := strings.ToLower(m.From.Addr)
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	return gatewaySender.MatchShort(local) || gatewaySender.MatchShort(strings.TrimSpace(m.From.Name)) || gatewaySubject.MatchShort(m.Subject)
}

// splitRights is splitReviewRights(full), with the scan of the decision;
// a text without review rights is not split.
func splitRights(full string, scan func(string) seenLits) (decision, rights string, seenDecision seenLits) {
	seen := scan(full)
	if !reviewRightsGuard.g.pass(seen) {
		return full, "", seen
	}
	decision, rights = splitReviewRights(full)
	if rights == "" {
		return decision, "", seen
	}
	return decision, rights, scan(decision)
}

// outcome suggests the final state of a substantive response.
func outcome(c Classification) string {
	refused := c.Refused || c.CostLimit || len(c.Sections) > 0
	switch {
	case c.Partial:
		return OutcomePartial
	case c.NotHeld && !refused:
		return OutcomeNotHeld
	case refused:
		return OutcomeRefused
	case c.NotHeld:
		return OutcomeNotHeld
	}
	return OutcomeSuccessful
}

// hasDocument reports whether m carries a file that looks like a response
// (not a logo or a returned message).
func hasDocument(m *Message) bool {
	for _, a := range m.Attachments {
		if a.Source == SourceInline || a.Source == SourceRFC822 || strings.HasPrefix(a.ContentType, "image/") ||
			strings.HasPrefix(a.ContentType, "message/") || isHeadersPart(a.ContentType) {
			continue
		}
		return true
	}
	return false
}

func firstMatch(ps []phrase, text string, seen seenLits) string {
	for _, p := range ps {
		if s := p.FindString(text, seen); s != "" {
			return s
		}
	}
	return ""
}

// snippet shortens matched text for the evidence list.
func snippet(s string) string {
	return strings.ToLower(cleanLine(s, 80))
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
