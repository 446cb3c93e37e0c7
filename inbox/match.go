package inbox

import (
	"fmt"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Index answers the questions Match asks about what the campaign has sent. It
// is implemented by the store. Addresses and domains passed to it are lower
// case; message IDs are without angle brackets; references are canonical
// (upper case, "LXP7-004").
type Index interface {
	// RefByMessageID returns the request for which we sent the message with
	// this Message-ID.
	RefByMessageID(id string) (ref string, ok bool)
	// RefByPlusTag verifies a plus-address tag (the part of the local part
	// after "+", lower case, e.g. "lxp7-004-1a2b3c4d") and returns its request.
	RefByPlusTag(tag string) (ref string, ok bool)
	// IsRef reports whether ref is one of our request references.
	IsRef(ref string) bool
	// IsSlug reports whether slug (upper case, "LXP7") is the slug of one of
	// our campaigns.
	IsSlug(slug string) bool
	// RefByAuthorityRef returns the request to which an authority gave this
	// reference of its own, learned from an earlier reply. Compare case- and
	// space-insensitively.
	RefByAuthorityRef(authorityRef string) (ref string, ok bool)
	// OpenRefsBySender lists the open requests sent to exactly this address.
	OpenRefsBySender(address string) []string
	// OpenRefsByDomain lists the open requests sent to addresses at this domain.
	OpenRefsByDomain(domain string) []string
	// IsAuthoritySender reports whether mail from this address concerns the
	// campaign: the address, or its domain, is a known authority's.
	IsAuthoritySender(address string) bool
}

// Rule names the evidence a match rests on. The values are stable: they are
// stored with the match and shown to the user.
type Rule string

// The rules, strongest first.
const (
	// RuleInReplyTo: In-Reply-To or References names a message we sent.
	RuleInReplyTo Rule = "in-reply-to"
	// RuleReturnedMessage: a message we sent is quoted whole or by its
	// headers inside this one, as bounces do; it names our Message-ID.
	RuleReturnedMessage Rule = "returned-message-id"
	// RulePlusAddress: a verified plus-address tag among the recipients.
	RulePlusAddress Rule = "plus-address"
	// RuleSubjectRef: our reference in the subject.
	RuleSubjectRef Rule = "subject-ref"
	// RuleBodyRef: our reference in the body, quoted text and embedded
	// messages included.
	RuleBodyRef Rule = "body-ref"
	// RuleAuthorityRef: the authority's own reference, learned earlier.
	RuleAuthorityRef Rule = "authority-ref"
	// RuleSender: the sender's address has exactly one open request. Low
	// confidence.
	RuleSender Rule = "sender"
	// RuleSenderDomain: the sender's domain has exactly one open request. Low
	// confidence.
	RuleSenderDomain Rule = "sender-domain"
	// RuleBounceRecipient: a bounce names as failed the address one of our
	// letters went to (decided by the caller, which knows the addresses).
	RuleBounceRecipient Rule = "bounce-recipient"
)

// MatchResult is the outcome of Match.
type MatchResult struct {
	Ref  string // the request, "" when unmatched
	Rule Rule   // the rule that decided, "" when unmatched
	// LowConfidence asks the user to check the match: the sender rules, and a
	// reference chosen among several found.
	LowConfidence bool
	Evidence      string // what was seen, for the user
	// AuthorityRef is the authority's own reference quoted in this message
	// (not one of ours), "" if none; the caller learns it for the request.
	AuthorityRef string
	// Suggestions are candidate requests for an unmatched (or low-confidence)
	// message, with the reason each was suggested.
	Suggestions []Suggestion
}

// Suggestion is a request an unmatched message might belong to.
type Suggestion struct {
	Ref string
	Why string
}

// maxSuggestions bounds the suggestion list (a shared domain such as nhs.net
// can have dozens of open requests).
const maxSuggestions = 20

// maxLookups bounds the number of Index look-ups per rule for text-derived
// candidates, so that a hostile body cannot cause thousands of queries.
const maxLookups = 50

// Match finds the request a received message belongs to, trying the rules
// strongest first and stopping at the first that decides: (1) In-Reply-To or
// References naming one of our Message-IDs, then a returned copy of one of our
// messages (bounces); (2) a verified plus-address tag in Delivered-To,
// X-Original-To, To or Cc; (3) our reference in the subject; (4) our reference
// in the body; (5) the authority's own reference, learned earlier; (6) the
// sender's address, else its domain, having exactly one open request (low
// confidence), unless the message names a reference that is not ours (see
// foreignRefs): then the sender's requests are only suggested. A bounce is
// decided by rules (1) and (2) only (the caller adds its failed
// recipients); rules (3) to (6) only suggest for it. An unmatched
// result carries suggestions where there is any evidence at all. Match only
// reads from idx.
func Match(m *Message, idx Index) MatchResult {
	var r MatchResult
	if m == nil || idx == nil {
		return r
	}
	r.AuthorityRef = authorityRefOf(m, idx)
	var s suggestions

	// (1) Threading headers: In-Reply-To first, then References newest first.
	for _, id := range threadIDs(m) {
		if ref, ok := idx.RefByMessageID(id); ok && ref != "" {
			return r.decide(ref, RuleInReplyTo, false, "In-Reply-To/References names our message <"+id+">", s)
		}
		if ref := refInMessageID(id, idx); ref != "" {
			s.add(ref, "a threading header names <"+id+">, shaped like our Message-ID for "+ref+" but not recorded")
		}
	}
	for _, id := range returnedMessageIDs(m) {
		if ref, ok := idx.RefByMessageID(id); ok && ref != "" {
			return r.decide(ref, RuleReturnedMessage, false, "returned copy of our message <"+id+">", s)
		}
	}

	// (2) Plus-address tags.
	tags := 0
	for _, addr := range recipientAddrs(m) {
		tag := plusTag(addr)
		if tag == "" {
			continue
		}
		if tags++; tags > maxLookups {
			break
		}
		if ref, ok := idx.RefByPlusTag(tag); ok && ref != "" {
			return r.decide(ref, RulePlusAddress, false, "sent to our tagged address "+strings.ToLower(addr), s)
		}
	}

	// A bounce is a delivery failure of one of our letters only when it
	// returns that letter (rule 1), comes back to its tagged address (rule
	// 2) or names its recipient as failed (the caller's bounce-recipient
	// rule, BounceRecipient). One that only mentions a reference, or comes
	// from an authority's server, may be the failure of someone else's
	// message quoting ours (a colleague's forward): it is listed for a look
	// with the requests it names as suggestions, and changes nothing.
	if _, bounce := m.bounceOf(); bounce {
		why := "a bounce that mentions %s, but neither returns our letter nor names its recipient: listed for a look"
		for _, ref := range knownRefs(m.Subject+"\n"+bodyText(m), idx) {
			s.add(ref, fmt.Sprintf(why, ref))
		}
		for _, ar := range authorityRefCandidates(m, idx) {
			if ref, ok := idx.RefByAuthorityRef(ar); ok && ref != "" {
				s.add(ref, fmt.Sprintf(why, "the authority's reference "+ar))
			}
		}
		r.Suggestions = s.list
		return r
	}

	// (3) Our reference in the subject; (4) in the body.
	if refs := knownRefs(m.Subject, idx); len(refs) > 0 {
		return r.decideAmong(refs, RuleSubjectRef, "subject contains "+refs[0], s)
	}
	if refs := knownRefs(bodyText(m), idx); len(refs) > 0 {
		return r.decideAmong(refs, RuleBodyRef, "body contains "+refs[0], s)
	}

	// (5) The authority's own reference.
	for _, ar := range authorityRefCandidates(m, idx) {
		if ref, ok := idx.RefByAuthorityRef(ar); ok && ref != "" {
			return r.decide(ref, RuleAuthorityRef, false, "authority's reference "+ar+" learned earlier", s)
		}
	}

	// (6) The sender, unless the message names a reference not ours: a
	// reply about another campaign's request (or someone else's) is not
	// filed under ours by who sent it.
	if from := strings.ToLower(strings.TrimSpace(m.From.Addr)); from != "" {
		refs := idx.OpenRefsBySender(from)
		if foreign := foreignRefs(m, idx); len(foreign) > 0 {
			names := strings.Join(foreign, ", ")
			if len(refs) == 0 {
				if d := domainOf(from); d != "" {
					refs = idx.OpenRefsByDomain(d)
				}
			}
			for _, ref := range refs {
				open := fmt.Sprintf("%d open requests", len(refs))
				if len(refs) == 1 {
					open = "1 open request"
				}
				s.add(ref, fmt.Sprintf("from %s, which has %s, but it names %s, not one of ours", from, open, names))
			}
			r.Suggestions = s.list
			return r
		}
		switch {
		case len(refs) == 1:
			return r.decide(refs[0], RuleSender, true, "sender "+from+" has one open request", s)
		case len(refs) > 1:
			for _, ref := range refs {
				s.add(ref, fmt.Sprintf("sender %s has %d open requests", from, len(refs)))
			}
		default:
			if d := domainOf(from); d != "" {
				refs = idx.OpenRefsByDomain(d)
				switch {
				case len(refs) == 1:
					return r.decide(refs[0], RuleSenderDomain, true, "sender's domain "+d+" has one open request", s)
				case len(refs) > 1:
					for _, ref := range refs {
						s.add(ref, fmt.Sprintf("sender's domain %s has %d open requests", d, len(refs)))
					}
				}
			}
		}
	}
	r.Suggestions = s.list
	return r
}

func (r MatchResult) decide(ref string, rule Rule, low bool, evidence string, s suggestions) MatchResult {
	r.Ref, r.Rule, r.LowConfidence, r.Evidence = ref, rule, low, evidence
	r.Suggestions = s.list
	return r
}

// decideAmong takes the first of several references found by one rule; the
// others make it low confidence and become suggestions.
func (r MatchResult) decideAmong(refs []string, rule Rule, evidence string, s suggestions) MatchResult {
	for _, other := range refs[1:] {
		s.add(other, fmt.Sprintf("also mentioned (%s)", rule))
	}
	if len(refs) > 1 {
		evidence += fmt.Sprintf(" (and %d other references)", len(refs)-1)
	}
	return r.decide(refs[0], rule, len(refs) > 1, evidence, s)
}

type suggestions struct{ list []Suggestion }

func (s *suggestions) add(ref, why string) {
	if ref == "" || len(s.list) >= maxSuggestions {
		return
	}
	for _, x := range s.list {
		if x.Ref == ref {
			return
		}
	}
	s.list = append(s.list, Suggestion{Ref: ref, Why: why})
}

// TakeUnmatched decides whether a message that Match could not file is worth
// keeping in the unmatched queue, and says why. It is, when it comes from a
// known authority's address or domain, when it is a bounce for such an
// address, or when Match found candidate requests; mail from anyone else
// (newsletters, spam) is left alone.
func TakeUnmatched(m *Message, r MatchResult, idx Index) (take bool, why string) {
	if m == nil || idx == nil {
		return false, "no message"
	}
	if r.Ref != "" {
		return true, "matched " + r.Ref
	}
	if from := strings.ToLower(strings.TrimSpace(m.From.Addr)); from != "" && idx.IsAuthoritySender(from) {
		return true, "sender " + from + " is a known authority"
	}
	for _, rcpt := range failedRecipients(m) {
		if idx.IsAuthoritySender(strings.ToLower(rcpt)) {
			return true, "bounce for known authority address " + strings.ToLower(rcpt)
		}
	}
	if len(r.Suggestions) > 0 {
		return true, "suggested request " + r.Suggestions[0].Ref
	}
	return false, "not from a known authority and no request suggested"
}

// threadIDs lists In-Reply-To, then References from newest to oldest: at most
// maxLookups of them, which is more than any real thread holds.
func threadIDs(m *Message) []string {
	var ids []string
	seen := map[string]bool{}
	newestFirst := slices.Clone(m.References)
	slices.Reverse(newestFirst)
	for _, list := range [][]string{m.InReplyTo, newestFirst} {
		for _, id := range list {
			if len(ids) >= maxLookups {
				return ids
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// refInMessageID reads the reference out of a Message-ID of our shape,
// "lxp7-004.random@domain", when the Index knows the reference.
func refInMessageID(id string, idx Index) string {
	local, _, ok := strings.Cut(id, ".")
	if !ok {
		return ""
	}
	ref := strings.ToUpper(local)
	if !refShape.MatchString(ref) || !idx.IsRef(ref) {
		return ""
	}
	return ref
}

var refShape = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,15}-[0-9]{3,9}$`)

var returnedIDLine = regexp.MustCompile(`(?im)^[ \t>]*Message-ID:[ \t]*<([^<>\s]+)>`)

// returnedMessageIDs lists the Message-IDs of messages quoted inside m: an
// embedded message/rfc822, returned headers (text/rfc822-headers), or a copy
// pasted into the text (as Exim bounces do).
func returnedMessageIDs(m *Message) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.TrimSpace(id)
		if id != "" && id != m.MessageID && !seen[id] && len(ids) < maxLookups {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, a := range m.Attachments {
		switch {
		case a.Source == SourceRFC822 && a.Message != nil:
			add(a.Message.MessageID)
		case isHeadersPart(a.ContentType):
			if ids := messageIDs(headerGet(headerOf(a.Data), "Message-Id")); len(ids) > 0 {
				add(ids[0])
			}
		}
	}
	for _, sm := range returnedIDLine.FindAllStringSubmatch(m.Text, 8) {
		add(sm[1])
	}
	return ids
}

func isHeadersPart(ctype string) bool {
	return ctype == "text/rfc822-headers" || ctype == "message/rfc822-headers" || ctype == "message/global-headers"
}

// recipientAddrs lists the addresses the message was delivered to, most
// trustworthy first.
func recipientAddrs(m *Message) []string {
	var out []string
	out = append(out, m.DeliveredTo...)
	out = append(out, m.OriginalTo...)
	for _, a := range m.To {
		out = append(out, a.Addr)
	}
	for _, a := range m.Cc {
		out = append(out, a.Addr)
	}
	return out
}

// plusTag returns the lower-case tag of a plus-address, "" if there is none.
func plusTag(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	_, tag, ok := strings.Cut(addr[:at], "+")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(tag))
}

func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || at == len(addr)-1 {
		return ""
	}
	return strings.ToLower(strings.Trim(addr[at+1:], " .>"))
}

// bodyText is the text that rule (4) searches: the body, quoted text
// included, and the subject and text of any embedded message (a .eml or an
// Outlook .msg).
func bodyText(m *Message) string {
	var b strings.Builder
	b.WriteString(m.Text)
	for _, a := range m.Attachments {
		if a.Message != nil {
			b.WriteString("\n")
			b.WriteString(a.Message.Subject)
			b.WriteString("\n")
			b.WriteString(a.Message.Text)
		}
	}
	return b.String()
}

// References as authorities rewrite them. Our references are SLUG-NNN
// ("LXP7-004"); replies carry them as "LXP7-4", "LXP7 004", "LXP7004",
// "lxp7-0004", "LXP7 – 004", "LXP7-004." at a sentence end, or split by a
// folded subject line ("LXP7-\r\n 004"). Each is read back to the canonical
// form: upper case, one hyphen, the number's value in at least three digits.
// What only looks like one is left alone: a token glued to a word or a
// longer number ("XLXP7-004", "LXP7-004x", "LXP7-004.5", "LXP7-004/26"),
// dates and telephone numbers (they start with a digit, and a number after a
// space must be three or four digits), and other bodies' case numbers (they
// are not our campaigns' references: callers check every candidate against
// the Index).

// refToken finds reference-shaped tokens: a slug, a hyphen (or a Unicode
// dash) with white space or a line fold allowed around it, and 1 to 9
// digits; or a slug, white space, and 3 or 4 digits.
var refToken = regexp.MustCompile(`(?i)([a-z][a-z0-9]{1,15})(?:[ \t]*(?:\r?\n[ \t]*)?[-‐‑–—][ \t]*(?:\r?\n[ \t]*)?([0-9]{1,9})|(?:[ \t]+|[ \t]*\r?\n[ \t]+)([0-9]{3,4}))`)

// compactRefToken finds a slug and a number written without a separator
// ("LXP7004"); where the slug ends is not known from the text, so every
// split that leaves three or four digits is a candidate.
var compactRefToken = regexp.MustCompile(`(?i)[a-z][a-z0-9]{1,15}[0-9]{3,4}`)

// RefCandidates returns the tokens in s shaped like a request reference
// (SLUG-NNN, written with a separator: "LXP7-004", "lxp7 – 4", "LXP7 004"),
// canonicalised (see refToken), in order of first appearance. Being shaped
// like one does not make it ours: authorities' references such as FOI-2108
// have the same shape, so callers check each against the Index.
func RefCandidates(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, loc := range refToken.FindAllStringSubmatchIndex(s, -1) {
		if !standsAlone(s, loc[0], loc[1]) {
			continue
		}
		num := ""
		switch {
		case loc[4] >= 0:
			num = s[loc[4]:loc[5]]
		case loc[6] >= 0:
			num = s[loc[6]:loc[7]]
		}
		ref := canonicalRef(s[loc[2]:loc[3]], num)
		if ref != "" && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

// compactRefCandidates returns the readings of tokens written without a
// separator ("LXP7004" is LXP7-004 or LXP-7004): they are looked up as our
// references but never taken for someone else's.
func compactRefCandidates(s string) []string {
	var out []string
	for _, loc := range compactRefToken.FindAllStringIndex(s, 20) {
		if !standsAlone(s, loc[0], loc[1]) {
			continue
		}
		tok := s[loc[0]:loc[1]]
		for n := 3; n <= 4 && n < len(tok)-1; n++ {
			if ref := canonicalRef(tok[:len(tok)-n], tok[len(tok)-n:]); ref != "" && !slices.Contains(out, ref) {
				out = append(out, ref)
			}
		}
	}
	return out
}

// standsAlone reports whether s[i:j] is a token of its own: not glued to a
// letter or digit on either side, and not the start of a longer number
// ("LXP7-004.5", "LXP7-004/26", "LXP7 004:30").
func standsAlone(s string, i, j int) bool {
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); isAlnum(r) {
			return false
		}
	}
	if j < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[j:]); isAlnum(r) {
			return false
		}
		if j+1 < len(s) && strings.IndexByte("./:,", s[j]) >= 0 && s[j+1] >= '0' && s[j+1] <= '9' {
			return false
		}
	}
	return true
}

// canonicalRef joins a slug and a number into a reference: upper case, the
// number's value in at least three digits ("lxp7", "0004" -> "LXP7-004").
// It returns "" when the slug is too short or the number too long.
func canonicalRef(slug, num string) string {
	if len(slug) < 2 || num == "" || len(num) > 9 {
		return ""
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return ""
	}
	return strings.ToUpper(slug) + "-" + fmt.Sprintf("%03d", n)
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// bracketedRef finds a reference in square brackets, the way our subjects
// carry one ("[LXP7-004]") and other campaigns' do ("[CRA-004]").
var bracketedRef = regexp.MustCompile(`\[\s*([A-Za-z][A-Za-z0-9]{1,15})\s*[-‐‑–—]\s*([0-9]{1,9})\s*\]`)

// foreignRefs lists the request references that m names and that are not
// ours, at most a few: a bracketed reference in the subject that we do not
// know, and any reference with one of our campaigns' slugs but a number we
// never used, in the subject or the body. Authorities' own references
// ("Our ref: FOI-2108") are not brackets or our slugs, and do not count.
func foreignRefs(m *Message, idx Index) []string {
	var out []string
	add := func(ref string) {
		if len(out) < 5 && !slices.Contains(out, ref) && !idx.IsRef(ref) {
			out = append(out, ref)
		}
	}
	for _, sm := range bracketedRef.FindAllStringSubmatch(m.Subject, maxLookups) {
		if ref := canonicalRef(sm[1], sm[2]); ref != "" {
			add(ref)
		}
	}
	for _, text := range []string{m.Subject, bodyText(m)} {
		for i, c := range RefCandidates(text) {
			if i >= maxLookups {
				break
			}
			if slug, _, _ := strings.Cut(c, "-"); idx.IsSlug(slug) {
				add(c)
			}
		}
	}
	return out
}

// knownRefs returns the references in s that the Index knows, in order:
// those written with a separator, then those written without one.
func knownRefs(s string, idx Index) []string {
	var out []string
	for i, c := range append(RefCandidates(s), compactRefCandidates(s)...) {
		if i >= maxLookups {
			break
		}
		if !slices.Contains(out, c) && idx.IsRef(c) {
			out = append(out, c)
		}
	}
	return out
}

// Authority references.

// authorityLabel finds the words that introduce an authority's reference:
// "Our ref:", "Our reference:", "FOI Ref:", "reference number", "(ref: ...)",
// "Request ID", "Case number". "Your ref" introduces ours and is skipped by
// AuthorityRefs.
var authorityLabel = regexp.MustCompile(`(?i)\b(` + labelWords + `\s+)?` + labelCore)

// The label's parts: the words that may come before it, and the label
// itself (matchAuthorityLabels, match_label.go, finds it without the
// words first).
const (
	labelWords = `(?:our|your|my|foi|foisa|eir|case|request|the|this|its|a)`
	labelCore  = `(ref(?:erence)?|request\s+(?:number|id)|case\s+(?:number|id))\b\.?(?:\s+(?:no\b\.?|number|num\b\.?|id\b))?\s*(?:is\s+)?[:#]?[ \t]*`
)

var yourBefore = regexp.MustCompile(`(?i)\b(?:your|my)\s*$`)

// AuthorityRefs extracts the references an authority gives its own case from
// text ("Our ref: FOI/23/0456", "reference number FOI- 2108-1525161", "FOI
// Ref: 23-0456"), in order of appearance, normalised: trimmed, with the spaces
// around hyphens and slashes removed. References introduced by "Your ref" (the
// authority quoting ours) are left out. The result may still contain one of
// our own references; callers drop those the Index knows.
func AuthorityRefs(text string) []string {
	var out []string
	for _, loc := range matchAuthorityLabels(text) {
		if loc[2] >= 0 {
			w := strings.ToLower(strings.TrimSpace(text[loc[2]:loc[3]]))
			if w == "your" || w == "my" {
				continue
			}
		}
		start := max(0, loc[0]-8)
		if yourBefore.MatchString(text[start:loc[0]]) {
			continue
		}
		if v := refValue(text[loc[1]:]); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
		if len(out) >= 10 {
			break
		}
	}
	return out
}

// refValue reads a reference value at the start of s: one token, or several
// joined by hyphens or slashes (spaces around them allowed), or a short word
// and a number ("FOI 4521").
func refValue(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80]
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return ""
	}
	v := strings.TrimLeft(fields[0], "([{<\"'")
	for _, f := range fields[1:] {
		joins := strings.HasSuffix(v, "-") || strings.HasSuffix(v, "/") ||
			strings.HasPrefix(f, "-") || strings.HasPrefix(f, "/")
		wordNumber := isLetters(v) && len(v) <= 10 && f != "" && f[0] >= '0' && f[0] <= '9'
		switch {
		case joins:
			v += f
		case wordNumber:
			v += " " + f
		default:
			return validRefValue(v)
		}
	}
	return validRefValue(v)
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// validRefValue trims punctuation from v and accepts it if it looks like a
// reference: 2 to 40 characters, at least one digit, only letters, digits and
// / . _ - and single spaces.
func validRefValue(v string) string {
	v = strings.TrimRight(v, ".,;:)]}>\"'")
	v = strings.TrimLeft(v, "([{<\"'")
	v = normaliseAuthorityRef(v)
	if len(v) < 2 || len(v) > 40 || !strings.ContainsAny(v, "0123456789") {
		return ""
	}
	for _, r := range v {
		if !(isAlnum(r) && r < 128 || strings.ContainsRune("/._- ", r)) {
			return ""
		}
	}
	return v
}

var spaceAroundSep = regexp.MustCompile(`\s*([-/])\s*`)

// normaliseAuthorityRef trims an authority reference and removes the spaces
// around its hyphens and slashes: "FOI- 2108-1525161" becomes
// "FOI-2108-1525161".
func normaliseAuthorityRef(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return spaceAroundSep.ReplaceAllString(s, "$1")
}

// authorityRefOf picks the authority's reference to learn from m: the first
// labelled one in the subject, the new text, then the whole text, that is not
// one of our references.
func authorityRefOf(m *Message, idx Index) string {
	for _, text := range []string{m.Subject, m.newText(), m.Text} {
		for _, ar := range AuthorityRefs(text) {
			if !isOurRef(ar, idx) {
				return ar
			}
		}
	}
	return ""
}

func isOurRef(s string, idx Index) bool {
	c := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	return refShape.MatchString(c) && idx.IsRef(c)
}

// subjectRefToken finds unlabelled reference-like tokens in a subject, such as
// "FOI/23/0456 - response" or "RE: FOI 4521".
var subjectRefToken = regexp.MustCompile(`(?i)\b(?:[a-z]{2,10}[ ]?[-/.]?[ ]?)?[0-9][a-z0-9]*(?:[ ]?[-/.][ ]?[a-z]*[0-9][a-z0-9]*)*`)

// authorityRefCandidates lists what rule (5) looks up: labelled references in
// the subject and body, then unlabelled reference-like tokens in the subject.
func authorityRefCandidates(m *Message, idx Index) []string {
	var out []string
	add := func(v string) {
		v = validRefValue(v)
		if v != "" && !slices.Contains(out, v) && len(out) < maxLookups && !isOurRef(v, idx) {
			out = append(out, v)
		}
	}
	for _, v := range AuthorityRefs(m.Subject) {
		add(v)
	}
	for _, v := range AuthorityRefs(bodyText(m)) {
		add(v)
	}
	for _, v := range subjectRefToken.FindAllString(m.Subject, 20) {
		add(v)
	}
	return out
}

// Quoted text.

var (
	quoteHeaderLine = regexp.MustCompile(`(?i)^\s*(?:-{2,}\s*(?:original message|forwarded message|forwarded by|ursprüngliche nachricht|message d'origine|weitergeleitet)|>>> .*>>>|.{0,120}\b(?:wrote|schrieb|a écrit)\s*:\s*$|\*{3,}\s*(?:original|forwarded))`)
	quoteFromLine   = regexp.MustCompile(`(?i)^\s*\*?(?:from|von|de)\s*:\*?\s+\S`)
	quoteNextLine   = regexp.MustCompile(`(?i)^\s*\*?(?:sent|date|to|subject|gesendet|an|betreff|envoyé)\s*:`)
	quoteOnLine     = regexp.MustCompile(`(?i)^\s*on\s.{4,}$`)
	quoteWroteLine  = regexp.MustCompile(`(?i)^.{0,120}\bwrote:\s*$`)
)

// unquoted returns the new part of a reply: the text above the first quoted
// message header ("-----Original Message-----", an Outlook "From:/Sent:"
// block, "On ... wrote:", a GroupWise ">>>" line, a line of underscores),
// without lines starting with ">".
func unquoted(text string) string {
	lines := strings.Split(text, "\n")
	var keep []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if quoteHeaderLine.MatchString(l) {
			break
		}
		if quoteFromLine.MatchString(l) && nextLinesMatch(lines[i+1:], quoteNextLine, 5) {
			break
		}
		if quoteOnLine.MatchString(l) && i+1 < len(lines) && quoteWroteLine.MatchString(lines[i+1]) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func nextLinesMatch(lines []string, re *regexp.Regexp, n int) bool {
	for i, l := range lines {
		if i >= n {
			break
		}
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// headerOf reads a header block stored as an attachment (returned headers).
func headerOf(data []byte) textproto.MIMEHeader {
	h, _, _ := readHeaderBlock(bufioReader(data))
	return h
}
