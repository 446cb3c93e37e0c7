// Mail gateways: the programs between an authority's mailbox and ours —
// Exchange and its transport rules, Lotus Domino, and the filtering and
// antivirus services (Symantec.cloud/MessageLabs, Mimecast, McAfee
// WebShield, Sophos, Barracuda, Trend Micro ScanMail, ...). They send mail
// of their own, and pass on automatic replies stripped of the headers that
// would name them:
//
//   - marks of mail made by a program, not a person (programHeaders):
//     Exchange's X-Auto-Response-Suppress (set by the sender to ask that
//     nothing answer it back — an out-of-office or a notification sets it),
//     X-MS-Exchange-Inbox-Rules-Loop (set when an inbox rule sent or
//     forwarded the message) and X-MS-Exchange-Generated-Message-Source;
//     these make a message an automatic reply only when it says nothing
//     else (classify.go). Lotus Domino's absence notices are known by
//     their subjects ("... is out of the office");
//   - a filtering gateway's notice that our letter was blocked, held or
//     found to carry a virus, from an address such as WebShield@ or
//     quarantine@, with or without a delivery-status part
//     (gatewayBounce): a bounce, with the gateway's reason as the
//     diagnostic.

package inbox

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// programHeaderNames are header fields that mail made by a program carries.
var programHeaderNames = []string{
	"X-Auto-Response-Suppress",
	"X-MS-Exchange-Inbox-Rules-Loop",
	"X-MS-Exchange-Generated-Message-Source",
}

// programHeaders lists the evidence of a program having sent m.
func programHeaders(m *Message) []string {
	var ev []string
	for _, h := range programHeaderNames {
		if v := strings.TrimSpace(headerGet(m.Header, h)); v != "" {
			ev = append(ev, h+": "+cleanLine(v, 40))
		}
	}
	return ev
}

// hasDispositionNotification reports whether m carries a read receipt's
// report part without being a multipart/report itself (gateways re-wrap
// them).
func hasDispositionNotification(m *Message) bool {
	for _, a := range m.Attachments {
		if a.ContentType == "message/disposition-notification" {
			return true
		}
	}
	return false
}

var (
	// gatewaySender is the local part (or display name) of a filtering
	// gateway's own address.
	gatewaySender = guardRe(regexp.MustCompile(`(?i)^(?:webshield|mcafee|mailsweeper|mimesweeper|mailscanner|mailmarshal|quarantine|quarantine-?notify|antivirus|anti-?virus|virus-?alert|virusalert|virus-?scan|scanmail|interscan|symantec|messagelabs|mimecast|sophos|barracuda|ironport|proofpoint|forcepoint|websense|email-?security|emailsecurity|mail-?filter|content-?filter|spam-?filter)\b`))
	gatewayName   = regexp.MustCompile(`(?i)\b(?:webshield|mailsweeper|mimesweeper|mailscanner|mailmarshal|scanmail|interscan|messagelabs|symantec\.cloud|mimecast|sophos|barracuda|ironport|proofpoint|forcepoint|websense|email security|content filter|virus scanner|antivirus|anti-virus)\b`)
	// gatewaySubject and gatewayBody say our letter was stopped.
	gatewaySubject = guardRe(regexp.MustCompile(`(?i)virus (?:found|detected|alert|warning)|content (?:filter|violation|blocked|alert)|message (?:blocked|rejected|quarantined|held|not delivered)|(?:blocked|quarantined|rejected) (?:e-?mail|message)|policy violation|banned (?:attachment|content|file)|delivery failure|undeliverable|returned mail|mail delivery failed|failed delivery|not delivered`))
	gatewayBody    = regexp.MustCompile(`(?i)(?:has|have|was|were) (?:been )?(?:blocked|quarantined|rejected|stopped|held|deleted|removed|not (?:been )?delivered)|(?:contained|contains|infected with) (?:a )?(?:virus|malware)|virus (?:was )?(?:found|detected)|violat(?:es|ed|ing) (?:our|the|this organisation'?s|a) (?:content |e-?mail |mail |security )?polic(?:y|ies)|could not be delivered|blocked by|banned (?:attachment|file|content)|was not delivered`)
	quotedTo       = regexp.MustCompile(`(?im)^[ \t>]*(?:to|recipients?|intended recipient)[ \t]*:[ \t]*(?:[^<\n]*<)?([^\s<>@,;]+@[^\s<>,;]+\.[a-z]{2,})>?[ \t]*$`)
	gatewayReason  = regexp.MustCompile(`(?im)^[ \t]*(?:reason|rule(?: name)?|policy|virus(?: name)?|threat|detected|action(?: taken)?|diagnostic(?:-code)?|details?|problem)[ \t]*:[ \t]*(\S.*)$`)
)

// gatewayBounce recognises a filtering gateway's notice that our letter
// was stopped, from a gateway's address or naming the gateway, and returns
// the evidence and the gateway's reason. body is the new text.
func gatewayBounce(m *Message, body string) (evidence, reason string, ok bool) {
	local := strings.ToLower(m.From.Addr)
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	fromGateway := gatewaySender.MatchShort(local) || gatewaySender.MatchShort(strings.TrimSpace(m.From.Name))
	named := gatewayName.FindString(m.Subject + "\n" + body)
	subj := gatewaySubject.FindShort(m.Subject)
	said := gatewayBody.FindString(body)
	switch {
	case fromGateway && (subj != "" || said != ""):
		evidence = fmt.Sprintf("filtering gateway %s: %s", m.From.Addr, gatewayWords(subj, said))
	case named != "" && subj != "" && said != "":
		evidence = fmt.Sprintf("filtering gateway (%s): %s", named, gatewayWords(subj, said))
	default:
		return "", "", false
	}
	if sm := gatewayReason.FindStringSubmatch(body); sm != nil {
		reason = cleanLine(sm[1], 300)
	} else if said != "" {
		for _, line := range strings.Split(body, "\n") {
			if gatewayBody.MatchString(line) {
				reason = cleanLine(line, 300)
				break
			}
		}
	}
	return evidence, reason, true
}

func gatewayWords(subj, said string) string {
	var parts []string
	if subj != "" {
		parts = append(parts, fmt.Sprintf("subject %q", snippet(subj)))
	}
	if said != "" {
		parts = append(parts, fmt.Sprintf("%q", snippet(said)))
	}
	return strings.Join(parts, ", ")
}

// quotedRecipients lists the recipients of the stopped message as a
// gateway's notice quotes them ("To: foi@..."), the notice's own recipient
// (from, us) left out.
func quotedRecipients(body, us string) []string {
	var out []string
	for _, sm := range quotedTo.FindAllStringSubmatch(body, 10) {
		a := strings.TrimRight(sm[1], ".")
		if !strings.EqualFold(a, us) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
