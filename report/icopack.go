package report

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/export"
	"foi/lifecycle"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
)

// Pack is a complaint pack, ready to be written as a zip: the complaint
// letter, how to file it, a timeline, every message exchanged as .eml,
// every attachment, and an index of exactly these files.
type Pack struct {
	Ref string
	// LetterName is the letter's template and file name without extension:
	// ico_complaint, or sic_appeal for a Scottish request.
	LetterName string
	// Letter is the complaint as it is to be filed, dated the day the pack
	// was built.
	Letter string
	// Early is set when the pack was built before a complaint is due (with
	// force): the warning the letter and the index carry.
	Early string
	// Files are the zip's entries in order.
	Files []File
	// Messages and Attachments count the .eml files and the attachments in
	// Files.
	Messages, Attachments int
}

// File is one entry of the pack.
type File struct {
	Name string
	// Modified is the entry's date: the message's for a message and its
	// attachments, the moment the pack was built for what it wrote.
	Modified time.Time
	// About is the file's line in the index.
	About string
	data  []byte // what the pack wrote, or
	src   string // the stored file it copies
}

// BuildPack builds the complaint pack of a request at now. Unless force is
// set it refuses, with a *NotDueError, to build one before a complaint is
// due (ComplaintDue); with force, the letter, the filing instructions and
// the index open with a warning saying why it is early.
//
// The letter is dated now and states the grounds. It is written afresh from
// the template, unless a person edited the complaint the schedule drafted
// (foi drafts edit): then their words are the letter, re-dated now (their
// last line, if it is still the draft's date) and with the grounds added
// if their text lacks them, and the template's letter of today goes beside
// it as <name>-from-template.txt, so that nothing written is lost. A draft
// nobody edited is not reused: its date and facts are those of the day it
// was drafted.
func BuildPack(ctx context.Context, st *store.Store, sch *schedule.Scheduler, f schedule.Facts, now time.Time, force bool) (*Pack, error) {
	r := f.Request
	if r.SentAt.IsZero() {
		return nil, fmt.Errorf("%s has not been sent: there is nothing to complain about yet", r.Ref)
	}
	ready := ComplaintDue(sch, f, now)
	if !ready.Due && !force {
		return nil, &NotDueError{Ref: r.Ref, Readiness: ready}
	}
	loc := sch.Policy.Loc
	if loc == nil {
		loc = sch.Cal.Location()
	}
	now = now.In(loc)
	law := calendar.Law(r.Law)
	p := &Pack{Ref: r.Ref, LetterName: "ico_complaint"}
	if law.Scottish() {
		p.LetterName = "sic_appeal"
	}
	if !ready.Due {
		p.Early = "built before a complaint is due: " + ready.Why
		if !ready.From.IsZero() {
			p.Early += fmt.Sprintf("; it will be due from %s", ready.From.Format("Mon 2 Jan 2006"))
		}
	}

	// 1. The letter, dated today, with the grounds.
	why := grounds(sch, f)
	l, err := sch.Letter(f, p.LetterName, why, now)
	if err != nil {
		return nil, fmt.Errorf("write the complaint of %s: %w", r.Ref, err)
	}
	fresh := withGrounds(l.Body, why)
	p.Letter = fresh
	edited, editedOn, hasEdit := editedDraft(f, loc)
	if hasEdit {
		p.Letter = withGrounds(redate(edited.Body, edited.Date.In(loc), now), why)
	}
	if p.Early != "" {
		p.Letter = "*** WARNING: " + p.Early + ". ***\n\n" + p.Letter
	}

	// 2. The messages and their attachments.
	msgs, atts, files, err := exchanged(ctx, st, f, loc)
	if err != nil {
		return nil, fmt.Errorf("read the messages of %s: %w", r.Ref, err)
	}
	p.Messages, p.Attachments = len(msgs), len(atts)

	// 3. What the pack writes itself.
	in := f.Input()
	d := deadline.Compute(sch.Cal, in)
	entries := Timeline(f, sch.Cal, loc)
	timeline := timelineText(f, sch.Cal, in, d, entries)
	how := howToFile(howTo{
		ref: r.Ref, title: f.Campaign.Title, authority: authorityName(r), law: law, letter: p.LetterName,
		early: p.Early, in: in, d: d, today: sch.Cal.Date(now), cal: sch.Cal, files: files,
	})
	page, err := letterPage(p, how, entries)
	if err != nil {
		return nil, err
	}
	mine := []File{
		{Name: p.LetterName + ".txt", About: "the complaint letter, dated " + now.Format("2 January 2006"), data: []byte(p.Letter)},
		{Name: p.LetterName + ".html", About: "the same letter to print, with how to file it and the timeline", data: page},
		{Name: "HOW-TO-FILE.txt", About: "where and when to file it, and what to attach", data: []byte(how)},
		{Name: "timeline.txt", About: "what happened, in order, with the dates the law counts from", data: []byte(timeline)},
	}
	if hasEdit {
		mine[0].About = fmt.Sprintf("the complaint as you edited it on %s, dated %s", editedOn.Format("2 January 2006"), now.Format("2 January 2006"))
		mine = append(mine, File{Name: p.LetterName + "-from-template.txt", data: []byte(fresh),
			About: fmt.Sprintf("the complaint as foi would write it today, without your edits: compare it with %s.txt", p.LetterName)})
	}
	for i := range mine {
		mine[i].Modified = now
	}
	mine = append(mine, File{Name: "index.txt", About: "this list", Modified: now})
	p.Files = slices.Concat(mine, msgs, atts)
	p.Files[len(mine)-1].data = []byte(indexText(p, f, now, p.Files))
	return p, nil
}

// WriteZip writes the pack as a zip, each entry dated by its Modified time.
func (p *Pack) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, f := range p.Files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return fmt.Errorf("pack %s: %w", f.Name, err)
		}
		if f.src == "" {
			_, err = fw.Write(f.data)
		} else {
			err = copyFile(fw, f.src)
		}
		if err != nil {
			return fmt.Errorf("pack %s: %w", f.Name, err)
		}
	}
	return zw.Close()
}

func copyFile(w io.Writer, name string) error {
	src, err := os.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(w, src)
	return err
}

// editedDraft is the complaint the schedule drafted, if a person edited
// it, and when they last did.
func editedDraft(f schedule.Facts, loc *time.Location) (mailer.Letter, time.Time, bool) {
	for _, it := range f.Outbox {
		if it.Step != lifecycle.StepComplaint || it.State == lifecycle.OutboxCancelled {
			continue
		}
		var last time.Time
		for _, e := range f.Events {
			if e.Kind == lifecycle.EventEdited && e.MessageID == it.MessageRowID {
				last = e.At
			}
		}
		l, err := mailer.StoredLetter(it)
		if last.IsZero() || err != nil || strings.TrimSpace(l.Body) == "" {
			return mailer.Letter{}, time.Time{}, false
		}
		if l.Date.IsZero() {
			l.Date = it.CreatedAt
		}
		return l, last.In(loc), true
	}
	return mailer.Letter{}, time.Time{}, false
}

// redate puts today's date in place of a letter's date line: its last line,
// if that is the day it was written ("1 July 2026", as the templates write
// {{date .Today}}).
func redate(body string, written, now time.Time) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	last := len(lines) - 1
	if strings.TrimSpace(lines[last]) != written.Format("2 January 2006") {
		return body
	}
	lines[last] = now.Format("2 January 2006")
	return strings.Join(lines, "\n") + "\n"
}

// exchanged is every message that passed between us and the authority —
// the letters that went and everything filed under the request, in the
// order foi sent or received them — as .eml files, with their attachments,
// and the files by their part in the complaint.
func exchanged(ctx context.Context, st *store.Store, f schedule.Facts, loc *time.Location) (msgs, atts []File, roles map[role][]string, err error) {
	letters := map[int64]store.OutboxItem{}
	for _, it := range f.Outbox {
		letters[it.MessageRowID] = it
	}
	type item struct {
		m    store.Message
		it   store.OutboxItem
		when time.Time
	}
	var list []item
	var reviewAsked time.Time
	for _, m := range f.Thread {
		it, ours := letters[m.ID]
		switch {
		case m.Direction == "out" && (!ours || it.State != lifecycle.OutboxSent):
			continue // a draft, or a letter that never went
		case m.Direction == "out":
			list = append(list, item{m, it, it.SentAt})
			if (it.Step.Review() || it.Kind == lifecycle.KindReview) && (reviewAsked.IsZero() || it.SentAt.Before(reviewAsked)) {
				reviewAsked = it.SentAt
			}
		default:
			list = append(list, item{m: m, when: m.CreatedAt})
		}
	}
	slices.SortStableFunc(list, func(a, b item) int { return a.when.Compare(b.when) })

	roles = map[role][]string{}
	used := map[string]bool{}
	for i, x := range list {
		m := x.m
		part, words := messageRole(m, x.it, !reviewAsked.IsZero() && m.CreatedAt.After(reviewAsked))
		when := x.when.In(loc)
		name := fmt.Sprintf("messages/%02d-%s-%s.eml", i+1, when.Format("2006-01-02"), words)
		used[strings.ToLower(name)] = true
		// A letter is dated when it went; a reply by its own Date header,
		// which its .eml shows, or else when it came.
		date := when
		if m.Direction == "in" && !m.Date.IsZero() {
			date = m.Date
		}
		who := "sent"
		if m.Direction == "in" {
			who = "received"
		}
		msgs = append(msgs, File{Name: name, Modified: date.In(loc), src: st.MailPath(m.SHA256),
			About: fmt.Sprintf("%s, %s %s: %s", strings.ReplaceAll(words, "-", " "), who, when.Format(EntryLayout), m.Subject)})
		if _, err := os.Stat(st.MailPath(m.SHA256)); err != nil {
			return nil, nil, nil, fmt.Errorf("message %d (%s): %w", m.ID, m.Subject, err)
		}
		roles[part] = append(roles[part], name)
		found, err := st.Attachments(ctx, m.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, a := range found {
			src := st.FilePath(a.SHA256)
			if _, err := os.Stat(src); err != nil {
				return nil, nil, nil, fmt.Errorf("attachment %q of message %d: %w", a.Name, m.ID, err)
			}
			an := uniqueName("attachments/"+export.FileName(a.Name), used)
			atts = append(atts, File{Name: an, Modified: date.In(loc), src: src,
				About: fmt.Sprintf("attached to %s (%s, %d bytes)", name, a.ContentType, a.Size)})
			roles[roleAttachment] = append(roles[roleAttachment], an)
		}
	}
	return msgs, atts, roles, nil
}

// messageRole is the part a message plays in the complaint and the words
// of its file name.
func messageRole(m store.Message, it store.OutboxItem, afterReview bool) (role, string) {
	if m.Direction == "out" {
		switch {
		case it.Step == lifecycle.StepLetter:
			return roleRequest, "our-request"
		case it.Step.Chaser():
			return roleChaser, "our-" + strings.ReplaceAll(letterWords(it.Step, it.Kind), " ", "-")
		case it.Step.Review() || it.Kind == lifecycle.KindReview:
			return roleReviewRequest, "our-internal-review-request"
		case it.Kind == lifecycle.KindClarification:
			return roleOther, "our-clarification"
		}
		return roleOther, "our-letter"
	}
	switch m.Kind {
	case lifecycle.KindBounce:
		return roleOther, "delivery-failure"
	case lifecycle.KindAutoReply:
		return roleOther, "automatic-reply"
	case lifecycle.KindAcknowledgement:
		return roleOther, "their-acknowledgement"
	case lifecycle.KindClarification:
		return roleOther, "their-request-for-clarification"
	case lifecycle.KindExtension:
		return roleOther, "their-extension"
	case lifecycle.KindFeeNotice:
		return roleOther, "their-fees-notice"
	case lifecycle.KindIdentity:
		return roleOther, "their-identity-challenge"
	case lifecycle.KindRedirect:
		return roleOther, "automatic-reply"
	}
	if afterReview {
		return roleReviewAnswer, "their-review-answer"
	}
	return roleResponse, "their-response"
}

// uniqueName adds " (2)", " (3)", ... before the extension until the name
// is not used (whatever the case of its letters), and marks it used.
func uniqueName(name string, used map[string]bool) string {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	candidate := name
	for n := 2; used[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s (%d)%s", base, n, ext)
	}
	used[strings.ToLower(candidate)] = true
	return candidate
}

func authorityName(r store.Request) string {
	if r.Authority.Name != "" {
		return r.Authority.Name
	}
	return r.ToAddress
}

// lawNames are the Acts and Regulations by law.
var lawNames = map[calendar.Law]string{
	calendar.FOIA:  "the Freedom of Information Act 2000",
	calendar.EIR:   "the Environmental Information Regulations 2004",
	calendar.FOISA: "the Freedom of Information (Scotland) Act 2002",
	calendar.EISR:  "the Environmental Information (Scotland) Regulations 2004",
}

// timelineText writes timeline.txt: the request, its key dates, and what
// happened.
func timelineText(f schedule.Facts, cal *calendar.Calendar, in deadline.Input, d deadline.Result, entries []Entry) string {
	r := f.Request
	var b strings.Builder
	fmt.Fprintf(&b, "Timeline of %s: %q\nTo %s <%s>", r.Ref, f.Campaign.Title, authorityName(r), r.ToAddress)
	if r.AuthorityRef != "" {
		fmt.Fprintf(&b, "; their reference %s", r.AuthorityRef)
	}
	law := calendar.Law(r.Law)
	fmt.Fprintf(&b, "\nUnder %s\n\nKey dates:\n", orText(lawNames[law], string(law)))
	row := func(what string, dt calendar.Date) {
		if !dt.IsZero() {
			fmt.Fprintf(&b, "  %-38s %s\n", what, dt.Format("Mon 2 Jan 2006"))
		}
	}
	when := func(t *time.Time) calendar.Date {
		if t == nil {
			return calendar.Date{}
		}
		return cal.Date(*t)
	}
	row("Request delivered", cal.Date(r.SentAt))
	row("Response due", d.Due)
	row("Responded", when(in.Responded))
	noun, asked := reviewWords(law)
	noun = strings.ToUpper(noun[:1]) + noun[1:]
	row(noun+" "+asked, when(in.ReviewRequested))
	row(noun+" due", d.ReviewDue)
	row(noun+" answered", when(in.ReviewAnswered))
	if law.Scottish() {
		row("Last day to apply to the Commissioner", d.SICAppealBy)
	} else {
		row("Last meaningful contact", when(in.LastMeaningfulContact))
		row("Complain to the ICO by", d.ICOComplainBy)
	}
	if d.Projected {
		b.WriteString("  (some of these dates count over bank holidays not yet announced)\n")
	}
	b.WriteString("\nWhat happened:\n")
	for _, e := range entries {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// indexText writes index.txt: every file of the pack and what it is.
func indexText(p *Pack, f schedule.Facts, now time.Time, files []File) string {
	r := f.Request
	var b strings.Builder
	fmt.Fprintf(&b, "Complaint pack for %s: %q\nTo %s <%s>\nBuilt %s\n", r.Ref, f.Campaign.Title, authorityName(r), r.ToAddress, now.Format(EntryLayout))
	if p.Early != "" {
		fmt.Fprintf(&b, "\n*** WARNING: %s. ***\n", p.Early)
	}
	fmt.Fprintf(&b, "\n%d files: the letter and its papers, %s and %s.\n\n", len(files), plural(p.Messages, "message", "messages"), plural(p.Attachments, "attachment", "attachments"))
	width := 0
	for _, fl := range files {
		width = max(width, len(fl.Name))
	}
	for _, fl := range files {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, fl.Name, fl.About)
	}
	return b.String()
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font: 12pt/1.4 Georgia, serif; max-width: 42em; margin: 2em auto; }
pre { font: inherit; white-space: pre-wrap; }
.warning { border: 3px solid #b00; padding: .5em 1em; font-weight: bold; }
section + section { break-before: page; page-break-before: always; }
h2 { font-size: 13pt; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline time { font-variant-numeric: tabular-nums; margin-right: 1em; }
</style>
{{if .Early}}<p class="warning">WARNING: {{.Early}}.</p>
{{end}}<section>
<pre>{{.Letter}}</pre>
</section>
<section>
<pre>{{.HowTo}}</pre>
</section>
<section>
<h2>Timeline</h2>
<ol class="timeline">
{{range .Timeline}}<li><time datetime="{{.At.Format "2006-01-02T15:04:05Z07:00"}}">{{.At.Format "Mon 2 Jan 2006 15:04"}}</time>{{.Text}}</li>
{{end}}</ol>
</section>
</html>
`))

// letterPage is the printable HTML: the letter, how to file it, the
// timeline, one to a page.
func letterPage(p *Pack, how string, entries []Entry) ([]byte, error) {
	title := "Complaint to the Information Commissioner: " + p.Ref
	if p.LetterName == "sic_appeal" {
		title = "Application to the Scottish Information Commissioner: " + p.Ref
	}
	letter := strings.TrimPrefix(p.Letter, "*** WARNING: "+p.Early+". ***\n\n")
	var b bytes.Buffer
	err := pageTemplate.Execute(&b, map[string]any{"Title": title, "Early": p.Early, "Letter": letter, "HowTo": how, "Timeline": entries})
	if err != nil {
		return nil, fmt.Errorf("write the printable complaint: %w", err)
	}
	return b.Bytes(), nil
}
