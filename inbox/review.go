// The review-rights paragraph. Every decision letter ends with one: "If you
// are dissatisfied with the handling of your request, you may ask for an
// internal review ... within 40 working days (or two months) ... you may
// then complain to the Information Commissioner". It is the same in a full
// disclosure and in a refusal, so it says nothing about the outcome: its
// "refuse", "withhold" and section numbers must not make a successful answer
// look like a refusal. It is set aside before the letter is read, and the
// time it gives for asking for a review is learned, to show beside the
// statutory one (40 working days: the FOIA s.45 code of practice, para 5.4;
// EIR reg. 11(2); FOISA s.20(5)).

package inbox

import (
	"regexp"
	"strconv"
	"strings"
)

// reviewRightsMark finds what a review-rights paragraph says: the
// conditional "if you are dissatisfied", the offer of a review ("you may ask
// for an internal review"), the Commissioner as the next step. A letter
// that only reports a review ("we have completed the internal review and
// uphold the decision") is a decision, not review rights.
var reviewRightsMark = regexp.MustCompile(`(?i)\bif you (?:are|remain|feel|were) (?:dissatisfied|unhappy|not (?:happy|satisfied|content))|\bif you (?:are )?(?:dissatisfied|unhappy)\b|\b(?:may|can|have the right to|are entitled to|wish to) (?:ask|request|apply|seek)(?: us)? (?:for )?(?:an )?internal review|\bright to (?:request|ask for|seek|apply for) (?:an )?internal review|\b(?:complain|appeal|apply|write)(?: directly)? to the (?:scottish )?(?:information commissioner|ico)\b|\bsection 50\b|\bico\.org\.uk\b|\bwycliffe house\b|\binternal review requests? (?:should|must|need to|can) be\b|\bcomplaints? (?:procedure|process)\b`)

// splitReviewRights splits text into the decision and the review-rights
// text. In each paragraph (text between blank lines), the sentences from
// the first that speaks of review rights to the paragraph's end are the
// review rights (they go on: "You should write to ... The address is ...");
// the sentences before it, and every other paragraph, are the decision.
func splitReviewRights(text string) (decision, rights string) {
	if !reviewRightsMark.MatchString(text) {
		return text, ""
	}
	var dec, rig []string
	for _, p := range strings.Split(text, "\n\n") {
		loc := reviewRightsMark.FindStringIndex(p)
		if loc == nil {
			dec = append(dec, p)
			continue
		}
		start := sentenceStart(p, loc[0])
		if before := strings.TrimSpace(p[:start]); before != "" {
			dec = append(dec, before)
		}
		rig = append(rig, p[start:])
	}
	return strings.Join(dec, "\n\n"), strings.Join(rig, "\n\n")
}

// sentenceStart is where the sentence holding p[i] begins: after the last
// ".", "!" or "?" followed by white space before i.
func sentenceStart(p string, i int) int {
	for j := i - 1; j > 0; j-- {
		if (p[j-1] == '.' || p[j-1] == '!' || p[j-1] == '?') && (p[j] == ' ' || p[j] == '\n' || p[j] == '\t') {
			return j
		}
	}
	return 0
}

// reviewWithin finds the time a review-rights paragraph gives: "within 40
// working days of the date of this letter", "within two months", "no later
// than 20 working days after".
var reviewWithin = regexp.MustCompile(`(?i)\b(?:within|no later than|not later than|no more than|before the end of|up to)\s+(?:a period of\s+)?(\d{1,3}|one|two|three|four|six|twenty|thirty|forty|sixty)\s*\(?(?:\d{1,3})?\)?\s+(working\s+days|business\s+days|calendar\s+days|days|weeks|months|calendar\s+months)\b`)

var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60}

// reviewDeadline reads the time given for asking for a review from the
// review-rights paragraphs: as written (normalised spaces), the count and
// the unit. Only a sentence that speaks of a review (not of complaining to
// the Commissioner, whose limit is not the authority's to set) is read.
func reviewDeadline(rights string) (within string, count int, unit string) {
	for _, sentence := range splitSentences(rights) {
		low := strings.ToLower(sentence)
		if !strings.Contains(low, "review") || strings.Contains(low, "commissioner") && !strings.Contains(low, "internal review") {
			continue
		}
		sm := reviewWithin.FindStringSubmatch(sentence)
		if sm == nil {
			continue
		}
		n, err := strconv.Atoi(sm[1])
		if err != nil {
			n = numberWords[strings.ToLower(sm[1])]
		}
		if n <= 0 {
			continue
		}
		u := strings.ToLower(strings.Join(strings.Fields(sm[2]), " "))
		switch u {
		case "working days", "business days":
			unit = "working_days"
		case "calendar days", "days":
			unit = "days"
		case "weeks":
			unit = "weeks"
		default:
			unit = "months"
		}
		return cleanLine(strings.ToLower(sm[1])+" "+u, 60), n, unit
	}
	return "", 0, ""
}

// splitSentences splits text at full stops followed by white space, and at
// blank lines.
func splitSentences(text string) []string {
	text = strings.Join(strings.Fields(text), " ")
	var out []string
	for text != "" {
		i := strings.Index(text, ". ")
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = text[i+2:]
	}
	return out
}
