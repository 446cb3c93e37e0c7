package inbox

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// readEnvelope guesses charsets only when the guess can matter: on every
// message of the corpus, and on declarations the bytes contradict, it reads
// what a reading that always guesses reads, flags aside that
// falseCharsetAlarms drops anyway.
func TestCharsetGuessOnlyWhenItMatters(t *testing.T) {
	t.Parallel()
	cases := corpusMessages(t)
	nCorpus := len(cases)
	french := strings.Repeat("Voici les données demandées : la fiche de poste, les salaires et l'équipe. ", 4)
	latin1, _ := charmap.ISO8859_1.NewEncoder().String(french)
	head := "From: FOI Team <foi@trust.nhs.test>\r\nSubject: Your request\r\nMIME-Version: 1.0\r\n" +
		"Content-Transfer-Encoding: 8bit\r\nContent-Type: text/plain; charset="
	cases["latin-1 declared utf-8"] = []byte(head + "utf-8\r\n\r\n" + latin1 + "\r\n")
	cases["utf-8 declared iso-8859-1"] = []byte(head + "iso-8859-1\r\n\r\n" + french + "\r\n")
	cases["utf-8 declared us-ascii"] = []byte(head + "us-ascii\r\n\r\n" + french + "\r\n")
	cases["latin-1 declared windows-1252"] = []byte(head + "windows-1252\r\n\r\n" + latin1 + "\r\n")
	// Text parts that name no charset: a body, and attached CSVs.
	bare := "From: FOI Team <foi@trust.nhs.test>\r\nSubject: Your request\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n%s\r\n" +
		"--b\r\nContent-Type: text/csv; name=posts.csv\r\nContent-Disposition: attachment; filename=posts.csv\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
	csv := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	rows := strings.Repeat("Peer Support Worker,4,Adult Mental Health,1.0,yes\r\n", 20)
	cases["no charset, ASCII"] = fmt.Appendf(nil, bare, "Please find the posts attached.", csv(rows))
	cases["no charset, latin-1 csv"] = fmt.Appendf(nil, bare, "Please find the posts attached.", csv(rows+latin1))
	cases["no charset, utf-8 csv"] = fmt.Appendf(nil, bare, "Please find the posts attached.", csv(rows+french))
	cases["no charset, latin-1 body"] = fmt.Appendf(nil, bare, latin1, csv(rows))
	jis, _ := japanese.ISO2022JP.NewEncoder().String(strings.Repeat("情報公開請求について回答いたします。", 8))
	cases["no charset, iso-2022-jp body"] = fmt.Appendf(nil, bare, jis, csv(rows))
	readOnce := map[string]bool{
		"no charset, ASCII": true, "no charset, latin-1 csv": false, "no charset, utf-8 csv": true,
		"no charset, latin-1 body": false, "no charset, iso-2022-jp body": false, "latin-1 declared utf-8": false, "utf-8 declared iso-8859-1": false,
	}
	guessed, skipped := 0, 0
	for name, raw := range cases {
		got, err := readEnvelope(raw, false)
		want, werr := readEnvelopeWith(raw, false, true, nil)
		if (err == nil) != (werr == nil) {
			t.Errorf("%s: error %v, always guessing %v", name, err, werr)
			continue
		}
		if err != nil {
			continue
		}
		first, err := readEnvelopeWith(raw, false, false, nil)
		guess, all := toGuess(first.Root)
		once := err == nil && len(guess) == 0 && !all
		if once {
			skipped++
		}
		if name == "no charset, latin-1 csv" && (len(guess) != 1 || all) {
			t.Errorf("%s: guess %v for the CSV alone, all %v; want the CSV alone", name, guess, all)
		}
		if name == "latin-1 declared utf-8" && !all {
			t.Errorf("%s: a declared part needs the guess, but not every part is guessed", name)
		}
		if want, ok := readOnce[name]; ok && once != want {
			t.Errorf("%s: read without a guess = %v, want %v", name, once, want)
		}
		if got.Text != want.Text || got.HTML != want.HTML {
			t.Errorf("%s: text differs from always guessing:\n got %q\nwant %q", name, got.Text, want.Text)
		}
		gp, wp := allParts(got), allParts(want)
		if len(gp) != len(wp) {
			t.Errorf("%s: %d parts, always guessing %d", name, len(gp), len(wp))
			continue
		}
		for i := range gp {
			if string(gp[i].Content) != string(wp[i].Content) {
				t.Errorf("%s: part %s content differs", name, gp[i].PartID)
			}
		}
		if kept, all := realErrors(got), realErrors(want); kept != all {
			t.Errorf("%s: flags %q, always guessing %q", name, kept, all)
		}
		if len(want.Errors) > len(realErrorList(want)) {
			guessed++
		}
	}
	// The constructed mismatches were read with the guess, and said so.
	for _, name := range []string{"latin-1 declared utf-8", "utf-8 declared us-ascii"} {
		m, err := Parse(cases[name])
		if err != nil || !m.HasFlag("charset-mismatch") || !strings.Contains(m.Text, "données") {
			t.Errorf("%s: flags %+v text %.40q err %v", name, m.Flags, m.Text, err)
		}
	}
	if skipped < nCorpus*3/4 {
		t.Errorf("only %d of %d messages were read without a guess", skipped, len(cases))
	}
	if guessed == 0 {
		t.Error("no case raised a false alarm: the corpus no longer tests the ASCII rule")
	}
}

// A declared UTF-8 text with a few accented letters keeps its declaration:
// no guess is made, and the letters read as sent.
func TestCharsetUTF8DeclarationKept(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("Thank you for your request about the posts in our community teams. ", 3) + "The fee is £0 and the café is closed.\r\n"
	raw := "From: FOI Team <foi@trust.nhs.test>\r\nSubject: Your request\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
	env, err := readEnvelope([]byte(raw), false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Text, "£0") || !strings.Contains(env.Text, "café") || len(env.Errors) != 0 {
		t.Errorf("text %q errors %v", env.Text, env.Errors)
	}
}

func allParts(env *enmime.Envelope) []*enmime.Part {
	return env.Root.DepthMatchAll(func(*enmime.Part) bool { return true })
}

func realErrorList(env *enmime.Envelope) []string {
	alarms := falseCharsetAlarms(env.Root)
	var out []string
	for _, e := range env.Errors {
		if !alarms[e] {
			out = append(out, e.Error())
		}
	}
	return out
}

func realErrors(env *enmime.Envelope) string { return strings.Join(realErrorList(env), "; ") }
