package inbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/charmap"
)

// A text file is taken as enmime read it only when that is the bytes as
// sent: on the corpus and on attached texts in several charsets and
// encodings, every part sentAsIs accepts reads the same as the part read
// again without conversion, and the parts it refuses include every one
// whose bytes conversion changed.
func TestSentAsIsIsTheBytesSent(t *testing.T) {
	t.Parallel()
	cases := corpusMessages(t)
	rows := strings.Repeat("Peer Support Worker,4,Adult Mental Health,1.0,yes\r\n", 30)
	latin1, _ := charmap.ISO8859_1.NewEncoder().String(rows + "Équipe de santé mentale,5,Adultes,1.0,oui\r\n")
	utf := rows + "Équipe de santé mentale,5,Adultes,1.0,oui\r\n"
	attach := func(ctype, cte, body string) []byte {
		return fmt.Appendf(nil, "From: FOI <foi@trust.nhs.test>\r\nSubject: posts\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAttached.\r\n"+
			"--b\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=posts.csv\r\nContent-Transfer-Encoding: %s\r\n\r\n%s\r\n--b--\r\n",
			ctype, cte, body)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases["ascii csv, no charset"] = attach("text/csv", "base64", b64(rows))
	cases["latin-1 csv, no charset"] = attach("text/csv", "base64", b64(latin1))
	cases["latin-1 csv, declared"] = attach("text/csv; charset=iso-8859-1", "base64", b64(latin1))
	cases["utf-8 csv, declared"] = attach("text/csv; charset=utf-8", "base64", b64(utf))
	cases["utf-8 csv, no charset"] = attach("text/csv", "base64", b64(utf))
	cases["utf-8 csv, 8bit"] = attach("text/csv; charset=utf-8", "8bit", utf)
	cases["latin-1 csv, 8bit"] = attach("text/csv; charset=windows-1252", "8bit", latin1)
	cases["ascii csv, quoted-printable"] = attach("text/csv", "quoted-printable", rows)
	asIs, refused := 0, 0
	for name, raw := range cases {
		env, err := readEnvelope(raw, false)
		if err != nil {
			continue
		}
		c := collector{raw: raw, m: &Message{}}
		for _, p := range env.Root.DepthMatchAll(func(p *enmime.Part) bool { return strings.HasPrefix(p.ContentType, "text/") }) {
			again := c.reread(p)
			if sentAsIs(p) {
				asIs++
				if !bytes.Equal(p.Content, again) {
					t.Errorf("%s part %s: taken as sent, but the bytes sent differ (%d vs %d bytes)", name, p.PartID, len(p.Content), len(again))
				}
			} else if !bytes.Equal(p.Content, again) {
				refused++
			}
		}
	}
	if asIs < 50 || refused < 2 {
		t.Errorf("%d parts taken as sent, %d refused with different bytes: the cases no longer test both sides", asIs, refused)
	}
	for _, name := range []string{"latin-1 csv, no charset", "latin-1 csv, declared", "latin-1 csv, 8bit"} {
		m, err := Parse(cases[name])
		if err != nil || len(m.Attachments) != 1 || string(m.Attachments[0].Data) != latin1 {
			t.Errorf("%s: the file is not the bytes sent (err %v, %d files)", name, err, len(m.Attachments))
		}
	}
}
