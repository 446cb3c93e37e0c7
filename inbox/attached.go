// Attached letters. Many replies say only "please find our response
// attached": the decision is in the attached letter. When the body alone
// does not tell (thin), the text of the attached letters is read with it:
// the text package extract reads out of the PDFs and documents at filing
// (given to ClassifyWith), and the text of an attached Outlook message.

package inbox

import (
	"strings"

	"foi/lifecycle"
)

// maxLetterText bounds the attached text read for classification.
const maxLetterText = 64 << 10

// thin reports whether the body alone leaves the kind open: nothing
// recognised, only weak phrases, or an answer that looks successful only
// because something is attached.
func thin(c Classification) bool {
	switch {
	case c.Kind == lifecycle.KindUnknown, !c.strong:
		return true
	case c.Kind == lifecycle.KindSubstantive && c.Outcome == OutcomeSuccessful:
		return true
	}
	return false
}

// attachedLetters joins the new text of m's attached Outlook messages and
// the attachment texts given, at most maxLetterText bytes.
func attachedLetters(m *Message, attached []string) string {
	var b strings.Builder
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || b.Len() >= maxLetterText {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if room := maxLetterText - b.Len(); len(s) > room {
			s = strings.ToValidUTF8(s[:room], "")
		}
		b.WriteString(s)
	}
	for _, a := range m.Attachments {
		if a.Message != nil && a.Source != SourceRFC822 {
			add(unquoted(a.Message.Text))
		}
	}
	for _, t := range attached {
		add(cleanText(t))
	}
	return b.String()
}
