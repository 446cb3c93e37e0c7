package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"foi/calendar"
	"foi/campaign"
	"foi/config"
	"foi/deadline"
	"foi/mailbox"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// holidaysFile is where imported official bank-holiday data is kept.
const holidaysFile = "bank-holidays.json"

// loadCalendar is the built-in calendar plus any imported data.
func loadCalendar(dataDir string) (*calendar.Calendar, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, holidaysFile))
	if errors.Is(err, os.ErrNotExist) {
		return calendar.New(), nil
	}
	if err != nil {
		return nil, err
	}
	src, err := calendar.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dataDir, holidaysFile), err)
	}
	return calendar.New(src), nil
}

// requestFacts opens the store and the scheduler and reads what is known
// about one request. The caller closes the store.
func (a *app) requestFacts(ctx context.Context, ref string) (*store.Store, *schedule.Scheduler, schedule.Facts, error) {
	cfg, st, err := a.open(ctx)
	if err != nil {
		return nil, nil, schedule.Facts{}, err
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err == nil {
		var r store.Request
		if r, err = st.Request(ctx, ref); err == nil {
			var f schedule.Facts
			if f, err = sch.Facts(ctx, r); err == nil {
				return st, sch, f, nil
			}
		}
	}
	st.Close()
	return nil, nil, schedule.Facts{}, err
}

// calendarIfConfigured is the calendar with the imported holidays of the
// configured data folder, or the built-in one when there is no
// configuration: `foi due` and `foi holidays` work without a foi.yaml.
func (a *app) calendarIfConfigured() *calendar.Calendar {
	if cfg, err := config.Load(a.configPath()); err == nil {
		if c, err := loadCalendar(cfg.DataDir()); err == nil {
			return c
		}
	}
	return calendar.New()
}

func newScheduler(ctx context.Context, cfg *config.Config, st *store.Store, a *app) (*schedule.Scheduler, error) {
	pol, err := schedule.PolicyFrom(cfg.Schedule)
	if err != nil {
		return nil, err
	}
	cal, err := loadCalendar(cfg.DataDir())
	if err != nil {
		return nil, err
	}
	s := &schedule.Scheduler{Store: st, Cal: cal, Letters: templates.New(cfg.TemplatesDir()), Policy: pol, Log: a.log}
	if cfg.Requester.PlusAddressing {
		if s.PlusSecret, err = st.Secret(ctx, "plus-address"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// cmdTick runs one pass of the scheduler, then sends what is due.
func (a *app) cmdTick(ctx context.Context, args []string) error {
	fs := a.flags("tick")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	unlock, err := lockOutbox(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	planned, sum, err := a.tick(ctx, cfg, st)
	if err != nil {
		return err
	}
	if a.json {
		if planned == nil {
			planned = []schedule.Planned{}
		}
		return a.printJSON(map[string]any{"planned": planned, "sent": sum})
	}
	for _, p := range planned {
		what := "queued"
		if p.Draft {
			what = "drafted (see foi drafts)"
		}
		fmt.Fprintf(a.stdout, "%s: %s %s\n", p.Ref, p.Step, what)
	}
	fmt.Fprintf(a.stdout, "%d planned; %d sent, %d failed, %d waiting\n", len(planned), sum.Sent, sum.Failed, sum.Waiting)
	return nil
}

// tick plans due steps and sends the outbox's due letters without waiting.
func (a *app) tick(ctx context.Context, cfg *config.Config, st *store.Store) ([]schedule.Planned, mailer.Summary, error) {
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return nil, mailer.Summary{}, err
	}
	planned, err := sch.Tick(ctx, a.now())
	if err != nil {
		return planned, mailer.Summary{}, err
	}
	ob := newOutbox(cfg, st, a)
	sent := mailbox.NewSent(cfg.IMAP, mailbox.Options{Dir: cfg.Dir})
	defer sent.Close()
	ob.Sent, ob.NoWait, ob.Guard = sent, true, sch.Guard(a.now)
	sum, err := ob.Drain(ctx, "", 0)
	return planned, sum, err
}

func (a *app) cmdDrafts(ctx context.Context, args []string) error {
	fs := a.flags("drafts")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Drafts(ctx)
	if err != nil {
		return err
	}
	if a.json {
		if list == nil {
			list = []store.OutboxItem{}
		}
		return a.printJSON(list)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREF\tSTEP\tDRAFTED\tTO")
	for _, d := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", d.ID, d.Ref, d.Kind, d.CreatedAt.In(londonLoc()).Format("2006-01-02"), d.To)
	}
	tw.Flush()
	if len(list) > 0 {
		fmt.Fprintln(a.stdout, "Read one with `foi drafts show ID`; send it with `foi approve ID`, or drop it with `foi discard ID`.")
	}
	return nil
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil {
		return 0, usagef("%q is not a draft number (see foi drafts)", s)
	}
	return id, nil
}

// placeholder marks text a person must write before a draft can go.
const placeholderMark = "[GROUNDS:"

func (a *app) cmdApprove(ctx context.Context, args []string) error {
	fs := a.flags("approve")
	grounds := fs.String("grounds", "", "the grounds for a review, in place of the placeholder")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("approve ID")
	}
	id, err := parseID(pos[0])
	if err != nil {
		return err
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	it, err := st.OutboxItem(ctx, id)
	if err != nil {
		return err
	}
	var l mailer.Letter
	if err := json.Unmarshal([]byte(it.Letter), &l); err != nil {
		return err
	}
	if *grounds != "" {
		if !strings.Contains(l.Body, placeholderMark) {
			return fmt.Errorf("draft %d has no grounds placeholder to replace", id)
		}
		l.Body = fillPlaceholder(l.Body, *grounds)
		m, js, err := campaign.StoreLetter(st, l)
		if err != nil {
			return err
		}
		if err := st.UpdateDraft(ctx, id, js, m, a.now()); err != nil {
			return err
		}
	}
	if strings.Contains(l.Body, placeholderMark) || strings.Contains(l.Body, "[CLARIFICATION:") {
		return fmt.Errorf("draft %d still has a placeholder to fill in: approve it with --grounds \"why the refusal is wrong\"", id)
	}
	if it.Step == schedule.StepComplaint {
		return fmt.Errorf("draft %d is a complaint to the Commissioner: foi never sends it; build the pack with `foi ico-pack %s --out FILE.zip` and file it yourself", id, it.Ref)
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	r, err := st.Request(ctx, it.Ref)
	if err != nil {
		return err
	}
	next := sch.NextSendTime(calendar.Law(r.Law), a.now())
	if err := st.Approve(ctx, id, next, a.now()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Draft %d approved: it goes at %s (foi tick or foi serve sends it).\n", id, next.In(londonLoc()).Format("2006-01-02 15:04"))
	return nil
}

func (a *app) cmdDiscard(ctx context.Context, args []string) error {
	fs := a.flags("discard")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("discard ID")
	}
	id, err := parseID(pos[0])
	if err != nil {
		return err
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Discard(ctx, id, a.now()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Draft %d discarded.\n", id)
	return nil
}

// cmdReply composes a follow-up from a template and queues it (or keeps it
// as a draft); --edit opens it in $EDITOR first.
func (a *app) cmdReply(ctx context.Context, args []string) error {
	fs := a.flags("reply")
	name := fs.String("template", "", "template name (see foi templates)")
	edit := fs.Bool("edit", false, "edit the letter in $EDITOR before it is queued")
	draft := fs.Bool("draft", false, "keep it as a draft for approval")
	grounds := fs.String("grounds", "", "grounds for an internal review")
	fill := fs.String("fill", "", "text to put in place of the letter's placeholder line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *name == "" {
		return usagef("reply REF --template NAME [--edit] [--draft]")
	}
	st, sch, f, err := a.requestFacts(ctx, pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	r := f.Request
	l, err := sch.Letter(f, *name, *grounds, a.now())
	if err != nil {
		return err
	}
	if *fill != "" {
		l.Body = fillPlaceholder(l.Body, *fill)
	}
	if *edit {
		if l.Body, err = editText(l.Body); err != nil {
			return err
		}
	}
	if !*draft && (strings.Contains(l.Body, placeholderMark) || strings.Contains(l.Body, "[CLARIFICATION:")) {
		return fmt.Errorf("the letter still has a placeholder to fill in: use --edit (or --draft to finish it later)")
	}
	kind := *name
	if strings.Contains(kind, "review") {
		kind = "review"
	}
	q := store.Queued{Kind: kind, Draft: *draft, NotBefore: sch.NextSendTime(calendar.Law(r.Law), a.now())}
	id, err := campaign.Enqueue(ctx, st, r, q, l, a.now())
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"outbox_id": id, "ref": r.Ref, "draft": *draft, "not_before": q.NotBefore})
	}
	if *draft {
		fmt.Fprintf(a.stdout, "Draft %d written for %s (foi approve %d to send it).\n", id, r.Ref, id)
	} else {
		fmt.Fprintf(a.stdout, "Letter %d queued for %s: it goes at %s (foi tick or foi serve sends it).\n", id, r.Ref, q.NotBefore.In(londonLoc()).Format("2006-01-02 15:04"))
	}
	return nil
}

// fillPlaceholder puts text in place of a letter's placeholder line
// ("[GROUNDS: ...]" or "[CLARIFICATION: ...]").
func fillPlaceholder(body, text string) string {
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, placeholderMark) || strings.HasPrefix(t, "[CLARIFICATION:") {
			lines[i] = strings.TrimSpace(text)
		}
	}
	return strings.Join(lines, "\n")
}

func editText(text string) (string, error) {
	editor := os.Getenv("EDITOR")
	if editor == "" {
		editor = "vi"
	}
	f, err := os.CreateTemp("", "foi-letter-*.txt")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	f.WriteString(text)
	f.Close()
	cmd := exec.Command("/bin/sh", "-c", editor+` "$1"`, "editor", f.Name())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("editor %s: %w", editor, err)
	}
	b, err := os.ReadFile(f.Name())
	return string(b), err
}

// cmdDue prints the deadlines for a request delivered on DATE.
func (a *app) cmdDue(ctx context.Context, args []string) error {
	fs := a.flags("due")
	law := fs.String("law", "foia", "foia, foisa, eir or eisr")
	school := fs.Bool("school", false, "the authority is a school (very overdue at 60 working days)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("due DATE [--law foia|foisa|eir|eisr]")
	}
	l, err := calendar.ParseLaw(*law)
	if err != nil {
		return usagef("%v", err)
	}
	d, err := calendar.ParseDate(pos[0])
	if err != nil {
		return usagef("due: %v", err)
	}
	if err := a.setup(); err != nil {
		return err
	}
	cal := a.calendarIfConfigured()
	var tags []string
	if *school {
		tags = []string{"school"}
	}
	delivered := d.In(cal.Location()).Add(12 * time.Hour)
	res := deadline.Compute(cal, deadline.Input{Law: l, Tags: tags, Delivered: delivered})
	ext := deadline.Compute(cal, deadline.Input{Law: l, Tags: tags, Delivered: delivered, Extended: true})
	out := map[string]any{"law": l, "delivered": d, "due": res.Due, "very_overdue": res.VeryOverdue,
		"first_chaser": cal.NextWorkingDay(l, res.Due), "projected": res.Projected}
	if l != calendar.FOISA {
		out["due_if_extended"] = ext.Due
	}
	if a.json {
		return a.printJSON(out)
	}
	fmt.Fprintf(a.stdout, "Delivered %s (%s), %s:\n", d.Format("Mon 2 Jan 2006"), d.Weekday(), strings.ToUpper(string(l)))
	fmt.Fprintf(a.stdout, "  response due      %s (20th working day)\n", res.Due.Format("Mon 2 Jan 2006"))
	fmt.Fprintf(a.stdout, "  first chaser      %s\n", cal.NextWorkingDay(l, res.Due).Format("Mon 2 Jan 2006"))
	if l != calendar.FOISA {
		fmt.Fprintf(a.stdout, "  if extended       %s (40th working day)\n", ext.Due.Format("Mon 2 Jan 2006"))
	}
	fmt.Fprintf(a.stdout, "  very overdue from %s\n", cal.NextWorkingDay(l, res.VeryOverdue).Format("Mon 2 Jan 2006"))
	if res.Projected {
		fmt.Fprintln(a.stdout, "  (depends on projected bank holidays: import newer official data with foi holidays import)")
	}
	return nil
}

func (a *app) cmdHolidays(ctx context.Context, args []string) error {
	fs := a.flags("holidays")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) >= 1 && pos[0] == "import" {
		if len(pos) != 2 {
			return usagef("holidays import FILE.json")
		}
		b, err := os.ReadFile(pos[1])
		if err != nil {
			return err
		}
		src, err := calendar.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: nothing imported: %w", pos[1], err)
		}
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		cal, err := loadCalendar(cfg.DataDir())
		if err != nil {
			return err
		}
		merged := calendar.New(cal.Official(), src)
		out, err := merged.Official().MarshalJSON()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(cfg.DataDir(), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cfg.DataDir(), holidaysFile), out, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Imported official bank holidays for %v.\n", src.Years())
		return nil
	}
	if err := a.setup(); err != nil {
		return err
	}
	year := a.now().In(londonLoc()).Year()
	if len(pos) == 1 {
		if year, err = strconv.Atoi(pos[0]); err != nil {
			return usagef("holidays [YEAR] | holidays import FILE.json")
		}
	}
	cal := a.calendarIfConfigured()
	list := cal.Holidays(year)
	if a.json {
		return a.printJSON(list)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, h := range list {
		mark := ""
		if h.Projected {
			mark = " (projected)"
		}
		var nations []string
		for _, n := range h.Nations {
			nations = append(nations, string(n))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", h.Date.Format("Mon 2 Jan 2006"), h.Title, strings.Join(nations, ", "), mark)
	}
	return tw.Flush()
}

// cmdICOPack builds the complaint pack: the letter, a timeline, every
// message as .eml, every attachment, and an index.
func (a *app) cmdICOPack(ctx context.Context, args []string) error {
	fs := a.flags("ico-pack")
	out := fs.String("out", "", "zip file to write")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usagef("ico-pack REF --out FILE.zip")
	}
	st, sch, f, err := a.requestFacts(ctx, pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	r := f.Request
	name := "ico_complaint"
	if calendar.Law(r.Law).Scottish() {
		name = "sic_appeal"
	}
	// The drafted complaint if there is one, else one written now.
	var letter string
	for _, it := range f.Outbox {
		if it.Step == schedule.StepComplaint {
			var l mailer.Letter
			if json.Unmarshal([]byte(it.Letter), &l) == nil {
				letter = l.Body
			}
		}
	}
	if letter == "" {
		l, err := sch.Letter(f, name, "", a.now())
		if err != nil {
			return err
		}
		letter = l.Body
	}
	if err := writePack(ctx, st, f, name, letter, *out); err != nil {
		return fmt.Errorf("ico-pack %s: %w", r.Ref, err)
	}
	fmt.Fprintf(a.stdout, "Wrote %s: the complaint (%s.txt), a timeline, %d messages and their attachments.\n", *out, name, len(f.Thread))
	return nil
}

func writePack(ctx context.Context, st *store.Store, f schedule.Facts, name, letter, path string) error {
	tmp := path + ".tmp"
	file, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	zw := zip.NewWriter(file)
	add := func(name string, data []byte) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	loc := londonLoc()
	var index, timeline strings.Builder
	fmt.Fprintf(&index, "Complaint pack for %s: %s <%s>\nCampaign %s: %s\n\nFiles:\n  %s.txt  the complaint letter\n  timeline.txt  what happened, in order\n",
		f.Request.Ref, f.Request.Authority.Name, f.Request.ToAddress, f.Campaign.Slug, f.Campaign.Title, name)
	if err := add(name+".txt", []byte(letter)); err != nil {
		return err
	}
	page := "<!doctype html>\n<meta charset=\"utf-8\">\n<title>" + html.EscapeString(f.Request.Ref) +
		"</title>\n<pre style=\"font: 12pt serif; white-space: pre-wrap\">" + html.EscapeString(letter) + "</pre>\n"
	if err := add(name+".html", []byte(page)); err != nil {
		return err
	}
	for _, e := range f.Events {
		fmt.Fprintf(&timeline, "%s  %-14s %s\n", e.At.In(loc).Format("2006-01-02 15:04"), e.Kind, e.Detail)
	}
	if err := add("timeline.txt", []byte(timeline.String())); err != nil {
		return err
	}
	used := map[string]bool{}
	for i, m := range f.Thread {
		if m.Kind == schedule.StepComplaint {
			continue
		}
		raw, err := st.ReadMail(m.SHA256)
		if err != nil {
			return err
		}
		dir := "received"
		if m.Direction == "out" {
			dir = "sent"
		}
		when := m.CreatedAt.In(loc).Format("2006-01-02")
		eml := fmt.Sprintf("messages/%02d-%s-%s-%s.eml", i+1, when, dir, safeFileName(orDefault(m.Kind, "message")))
		if err := add(eml, raw); err != nil {
			return err
		}
		fmt.Fprintf(&index, "  %s  %s %s: %s\n", eml, dir, when, m.Subject)
		atts, err := st.Attachments(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, at := range atts {
			data, err := os.ReadFile(st.FilePath(at.SHA256))
			if err != nil {
				return err
			}
			fn := "attachments/" + uniqueName(safeFileName(at.Name), used)
			if err := add(fn, data); err != nil {
				return err
			}
			fmt.Fprintf(&index, "  %s  attached to message %02d (%s, %d bytes)\n", fn, i+1, at.ContentType, at.Size)
		}
	}
	if err := add("index.txt", []byte(index.String())); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
