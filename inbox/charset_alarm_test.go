package inbox

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// Issue 14, finding 8: a plain UTF-8 reply is not flagged charset-mismatch
// (enmime guesses ISO-8859-1 for ASCII text); a declaration the bytes
// really contradict still is.
func TestCharsetMismatchOnlyWhenReal(t *testing.T) {
	t.Parallel()
	french := strings.Repeat("Voici les données demandées : la fiche de poste, les salaires et l'équipe. ", 4)
	latin1, err := charmap.ISO8859_1.NewEncoder().String(french)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, charset, body string
		want                bool
	}{
		{"ASCII text declared utf-8", "utf-8", strings.Repeat("Thank you for your request, which we received today. ", 4), false},
		{"ASCII text declared us-ascii", "us-ascii", strings.Repeat("Please find our response attached to this email. ", 4), false},
		{"UTF-8 text declared utf-8", "utf-8", french, false},
		{"UTF-8 text declared us-ascii", "us-ascii", french, true},
		{"Latin-1 bytes declared utf-8", "utf-8", latin1, true},
	} {
		raw := "From: FOI Team <foi@trust.nhs.test>\r\nTo: lxp@campaign.test\r\nSubject: Your request\r\n" +
			"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <a@trust.nhs.test>\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/plain; charset=" + tc.charset + "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + tc.body + "\r\n"
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.HasFlag("charset-mismatch"); got != tc.want {
			t.Errorf("%s: charset-mismatch = %v, want %v (flags %+v)", tc.name, got, tc.want, m.Flags)
		}
	}
}
