package results

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"foi/export"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

// Redactor removes the requester's own address and signature from a text
// passed on to others: every form of the address (with or without a
// "+tag"), the requester's name and organisation, and, in our letters,
// whatever follows the sign-off.
type Redactor struct {
	address *regexp.Regexp
	names   []string
}

// NewRedactor makes the Redactor of a campaign's requester.
func NewRedactor(c store.Campaign) *Redactor {
	r := &Redactor{}
	if local, domain, ok := strings.Cut(c.RequesterEmail, "@"); ok && local != "" {
		base, _, _ := strings.Cut(local, "+")
		r.address = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(base) + `(\+[^\s@<>]*)?@` + regexp.QuoteMeta(domain))
	}
	for _, n := range []string{c.RequesterName, c.RequesterOrg} {
		if n = strings.TrimSpace(n); len(n) >= 3 {
			r.names = append(r.names, n)
		}
	}
	return r
}

// signOff is the line a letter's signature follows.
var signOff = regexp.MustCompile(`(?im)^\s*(yours (faithfully|sincerely|truly)|kind regards|best wishes|many thanks|regards),?\s*$`)

// Text removes the address and the names from s.
func (r *Redactor) Text(s string) string {
	if r.address != nil {
		s = r.address.ReplaceAllString(s, "[requester's address removed]")
	}
	for _, n := range r.names {
		s = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(n)).ReplaceAllString(s, "[requester]")
	}
	return s
}

// Letter removes the signature (everything after the last sign-off line)
// of one of our letters, then what Text removes.
func (r *Redactor) Letter(s string) string {
	if loc := signOff.FindAllStringIndex(s, -1); len(loc) > 0 {
		end := loc[len(loc)-1][1]
		s = s[:end] + "\n[requester's signature removed]\n"
	}
	return r.Text(s)
}

// zipFile is one entry of a zip to write.
type zipFile struct {
	name     string
	modified time.Time
	data     []byte
	src      string // a stored file to copy instead of data
}

// writeZip writes files as a zip; progress, if not nil, is called after
// each with the number written and the total.
func writeZip(w io.Writer, files []zipFile, progress func(done, total int)) error {
	zw := zip.NewWriter(w)
	for i, f := range files {
		if progress != nil && i > 0 {
			progress(i, len(files))
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: f.modified})
		if err != nil {
			return err
		}
		if f.src != "" {
			src, err := os.Open(f.src)
			if err != nil {
				return fmt.Errorf("read %s for %s: %w", f.src, f.name, err)
			}
			_, err = io.Copy(fw, src)
			src.Close()
			if err != nil {
				return fmt.Errorf("copy %s: %w", f.src, err)
			}
			continue
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(len(files), len(files))
	}
	return zw.Close()
}

// names hands out unique names in a zip, made safe with export.FileName.
type names map[string]bool

func (u names) take(dir, name string) string {
	name = export.FileName(name)
	ext := ""
	if i := strings.LastIndex(name, "."); i > 0 {
		ext = name[i:]
	}
	base := strings.TrimSuffix(name, ext)
	for n := 1; ; n++ {
		c := dir + name
		if n > 1 {
			c = fmt.Sprintf("%s%s (%d)%s", dir, base, n, ext)
		}
		if !u[strings.ToLower(c)] {
			u[strings.ToLower(c)] = true
			return c
		}
	}
}

// csvBytes writes rows as RFC 4180 CSV, every cell neutralised.
func csvBytes(rows [][]string) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	for _, r := range rows {
		cw.Write(neutraliseAll(r))
	}
	cw.Flush()
	return b.Bytes()
}

// WriteRequestPack writes the zip of one request to pass on to local
// campaigners: README.txt, every letter we sent and every reply as text
// (messages/), every file the replies carried (files/), and the coded
// answers (answers.csv). The requester's own address and signature are
// removed from the letters and replies (Redactor); the files are as the
// authority sent them, which the README says.
func WriteRequestPack(ctx context.Context, w io.Writer, st *store.Store, sch *schedule.Scheduler, ref string, now time.Time) error {
	r, err := st.Request(ctx, ref)
	if err != nil {
		return err
	}
	f, err := sch.Facts(ctx, r)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.Ref, err)
	}
	t := Build(sch, []schedule.Facts{f}, Input{Title: f.Campaign.Title, Campaign: r.Campaign}, now)
	if t.Questions, err = st.Questions(ctx, r.Campaign); err != nil {
		return err
	}
	answers, err := st.Answers(ctx, r.Campaign)
	if err != nil {
		return err
	}
	row := t.Rows[0]
	for _, a := range answers {
		if a.RequestID == r.ID {
			row.Answers[a.Question] = a
		}
	}
	red := NewRedactor(f.Campaign)
	loc := sch.Cal.Location()
	sent := map[int64]store.OutboxItem{}
	for _, it := range f.Outbox {
		if it.State == lifecycle.OutboxSent {
			sent[it.MessageRowID] = it
		}
	}
	used := names{}
	var msgs, files []zipFile
	var listing []string
	for _, m := range f.Thread {
		var when time.Time
		var text, what string
		switch {
		case m.Direction == "out":
			it, ok := sent[m.ID]
			if !ok {
				continue // a draft, or a letter that never went
			}
			when, what = it.SentAt, "letter"
			text = fmt.Sprintf("Sent: %s\nTo: %s\nSubject: %s\n\n%s", when.In(loc).Format("Mon 2 Jan 2006 15:04"),
				r.Authority.Name, red.Text(m.Subject), red.Letter(m.BodyText))
		case m.Kind == lifecycle.KindBounce || m.Kind == lifecycle.KindAutoReply || m.Kind == lifecycle.KindRedirect:
			continue // nothing the authority said: its mail system did
		default:
			when, what = m.CreatedAt, "reply"
			text = fmt.Sprintf("Received: %s\nFrom: %s\nSubject: %s\n\n%s", when.In(loc).Format("Mon 2 Jan 2006 15:04"),
				r.Authority.Name, red.Text(m.Subject), red.Text(m.BodyText))
			atts, err := st.Attachments(ctx, m.ID)
			if err != nil {
				return err
			}
			for _, a := range atts {
				name := used.take("files/", a.Name)
				files = append(files, zipFile{name: name, modified: when, src: st.FilePath(a.SHA256)})
				listing = append(listing, fmt.Sprintf("  %s (from the %s of %s)", name, what, when.In(loc).Format("2 Jan 2006")))
			}
		}
		name := used.take("messages/", fmt.Sprintf("%02d-%s-%s.txt", len(msgs)+1, when.In(loc).Format("2006-01-02"), what))
		msgs = append(msgs, zipFile{name: name, modified: when, data: []byte(text)})
		listing = append(listing, "  "+name)
	}
	rows := [][]string{{"Question", "Answer", "Kind", "Quote", "Coded by", "Coded on"}}
	for _, q := range t.Questions {
		a, ok := row.Answers[q.Seq]
		if !ok {
			rows = append(rows, []string{fmt.Sprintf("Q%d %s", q.Seq, q.Text), "", "", "", "", ""})
			continue
		}
		rows = append(rows, []string{fmt.Sprintf("Q%d %s", q.Seq, q.Text), Words(a), string(a.Kind), red.Text(a.Quote), a.Actor, a.CodedAt.In(loc).Format("2006-01-02")})
	}
	rec := RecordOf(t, row, sch.Cal)
	var readme strings.Builder
	fmt.Fprintf(&readme, "%s: %s\n%s\n\n", r.Ref, r.Authority.Name, red.Text(f.Campaign.Title))
	fmt.Fprintf(&readme, "Sent: %s\nDue: %s (%s)\nFirst substantive reply: %s\nOn time: %s\nOutcome: %s\nExemptions cited: %s\nInternal review asked: %s, answered: %s (%s)\nThe authority's reference: %s\n\n",
		orDash(rec.Sent), orDash(rec.Due), orDash(rec.DueRule), orDash(rec.FirstReply), orDash(rec.OnTime), orDash(outcomeWords(row)),
		orDash(rec.Exemptions), orDash(rec.ReviewAsked), orDash(rec.ReviewAnswered), orDash(rec.ReviewOutcome), orDash(rec.AuthorityRef))
	readme.WriteString("What is here:\n  README.txt (this file)\n  answers.csv (the answers coded for each question, with the quote they come from)\n")
	readme.WriteString(strings.Join(listing, "\n") + "\n\n")
	readme.WriteString("The letters and replies are given as text. The requester's own email address and signature have been\n" +
		"removed from them. The files are exactly as the authority sent them: look through them before passing\n" +
		"them on, as a letter inside one may still name the requester.\n")
	fmt.Fprintf(&readme, "\nMade by foi on %s.\n", now.In(loc).Format("2 January 2006"))
	all := []zipFile{{name: "README.txt", modified: now, data: []byte(readme.String())}, {name: "answers.csv", modified: now, data: csvBytes(rows)}}
	all = append(all, msgs...)
	all = append(all, files...)
	return writeZip(w, all, nil)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteCampaignFiles writes the zip of every file of every request of a
// campaign: a folder per request ("LXP7N-001 Alpha NHS Trust/"), and
// index.csv saying what came from whom and when.
func WriteCampaignFiles(ctx context.Context, w io.Writer, st *store.Store, slug string, now time.Time, loc *time.Location) error {
	return WriteCampaignFilesProgress(ctx, w, st, slug, now, loc, nil)
}

// WriteCampaignFilesProgress is WriteCampaignFiles that calls progress, if
// not nil, as each file goes into the zip, with the count so far and the
// total (for a progress bar: a campaign's files can be many).
func WriteCampaignFilesProgress(ctx context.Context, w io.Writer, st *store.Store, slug string, now time.Time, loc *time.Location, progress func(done, total int)) error {
	c, err := st.Campaign(ctx, strings.ToUpper(slug))
	if err != nil {
		return err
	}
	reqs, err := st.Requests(ctx, c.Slug)
	if err != nil {
		return err
	}
	list, err := st.CampaignFiles(ctx, c.Slug)
	if err != nil {
		return err
	}
	byID := map[int64]store.Request{}
	for _, r := range reqs {
		byID[r.ID] = r
	}
	used := names{}
	index := [][]string{{"Reference", "Authority", "File", "Name as sent", "Type", "Bytes", "SHA-256", "Received", "Subject of the message"}}
	var files []zipFile
	red := NewRedactor(c)
	for _, f := range list {
		r := byID[f.RequestID]
		dir := export.FolderName(r.Ref, r.Authority.Name) + "/"
		name := used.take(dir, f.Name)
		files = append(files, zipFile{name: name, modified: f.Received, src: st.FilePath(f.SHA256)})
		index = append(index, []string{r.Ref, r.Authority.Name, name, f.Name, f.ContentType, fmt.Sprint(f.Size), f.SHA256,
			f.Received.In(loc).Format("2006-01-02 15:04"), red.Text(f.Subject)})
	}
	readme := fmt.Sprintf("%s: %s\n\nEvery file the authorities sent in reply, %d in all, in a folder per request.\n"+
		"index.csv lists each with the request, the authority, when it came and in which message.\n\nMade by foi on %s.\n",
		c.Slug, red.Text(c.Title), len(files), now.In(loc).Format("2 January 2006"))
	all := []zipFile{{name: "README.txt", modified: now, data: []byte(readme)}, {name: "index.csv", modified: now, data: csvBytes(index)}}
	return writeZip(w, append(all, files...), progress)
}
