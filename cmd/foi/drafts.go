package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"foi/campaign"
	"foi/lifecycle"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// cmdDrafts lists the letters waiting for approval; `drafts show ID` prints
// one exactly as it would go, and `drafts edit ID` changes its text.
func (a *app) cmdDrafts(ctx context.Context, args []string) error {
	fs := a.flags("drafts")
	file := fs.String("file", "", "with edit: the letter's new text, instead of opening an editor")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case (len(pos) == 0 || len(pos) == 1 && pos[0] == "list") && *file == "":
		return a.listDrafts(ctx)
	case len(pos) == 2 && pos[0] == "show" && *file == "":
		return a.showDraft(ctx, pos[1])
	case len(pos) == 2 && pos[0] == "edit":
		return a.editDraft(ctx, pos[1], *file)
	}
	return usagef("drafts | drafts show ID | drafts edit ID [--file FILE]")
}

func (a *app) listDrafts(ctx context.Context) error {
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
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "No drafts waiting for approval.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREF\tSTEP\tDRAFTED\tTO\tTO FILL IN")
	for _, d := range list {
		fill := ""
		if l, err := outboxLetter(d); err == nil {
			fill = placeholderNames(templates.Placeholders(l.Body))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Ref, d.Kind, d.CreatedAt.In(londonLoc()).Format("2006-01-02"), d.To, fill)
	}
	tw.Flush()
	fmt.Fprintln(a.stdout, "Read one with `foi drafts show ID`, change it with `foi drafts edit ID`; send it with `foi approve ID`, or drop it with `foi discard ID`.")
	return nil
}

// draftView is a letter of the outbox as `drafts show --json` gives it.
type draftView struct {
	ID           int64                 `json:"id"`
	Ref          string                `json:"ref"`
	Authority    string                `json:"authority"`
	Step         lifecycle.Step        `json:"step"`
	Kind         lifecycle.Kind        `json:"kind"`
	State        lifecycle.OutboxState `json:"state"`
	From         string                `json:"from"`
	To           string                `json:"to"`
	Subject      string                `json:"subject"`
	InReplyTo    string                `json:"in_reply_to,omitempty"`
	Body         string                `json:"body"`
	Placeholders []placeholderView     `json:"placeholders"`
}

type placeholderView struct {
	Line int    `json:"line"`
	Mark string `json:"mark"`
	Text string `json:"text"`
}

// showDraft prints a letter of the outbox: what it is, where it stands,
// what must be written before it can go, then its headers and its body
// exactly as they would be sent.
func (a *app) showDraft(ctx context.Context, arg string) error {
	id, err := parseID(arg)
	if err != nil {
		return err
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	it, err := outboxEntry(ctx, st, id)
	if err != nil {
		return err
	}
	l, err := outboxLetter(it)
	if err != nil {
		return err
	}
	authority := ""
	if r, err := st.Request(ctx, it.Ref); err == nil {
		authority = r.Authority.Name
	}
	holes := templates.Placeholders(l.Body)
	if a.json {
		v := draftView{ID: it.ID, Ref: it.Ref, Authority: authority, Step: it.Step, Kind: it.Kind, State: it.State,
			From: l.FromAddress, To: l.To, Subject: l.Subject, InReplyTo: l.InReplyTo, Body: l.Body, Placeholders: []placeholderView{}}
		for _, h := range holes {
			v.Placeholders = append(v.Placeholders, placeholderView{Line: h.Line, Mark: h.Mark, Text: h.Text})
		}
		return a.printJSON(v)
	}
	w := a.stdout
	what := "Letter"
	if it.State == lifecycle.OutboxDraft {
		what = "Draft"
	}
	fmt.Fprintf(w, "%s %d: %s for %s", what, id, stepName(it), it.Ref)
	if authority != "" {
		fmt.Fprintf(w, " (%s)", authority)
	}
	fmt.Fprintf(w, ", written %s\n", it.CreatedAt.In(londonLoc()).Format("2006-01-02"))
	fmt.Fprintln(w, outboxStanding(it))
	if len(holes) > 0 && it.State == lifecycle.OutboxDraft {
		fmt.Fprintln(w, "To fill in before it can go:")
		for _, h := range holes {
			fmt.Fprintf(w, "  line %d: %s\n", h.Line, h.Text)
		}
		if templates.HasPlaceholder(l.Body, "GROUNDS") {
			fmt.Fprintf(w, "  `foi approve %d --grounds \"why the refusal is wrong\"` puts your text in its place and approves it; or change the letter with `foi drafts edit %d`.\n", id, id)
		} else {
			fmt.Fprintf(w, "  Write it with `foi drafts edit %d`.\n", id)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "From: %s <%s>\nTo: %s\nSubject: %s\n", l.FromName, l.FromAddress, l.To, l.Subject)
	if l.InReplyTo != "" {
		fmt.Fprintf(w, "In-Reply-To: <%s>\n", l.InReplyTo)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, l.Body)
	if !strings.HasSuffix(l.Body, "\n") {
		fmt.Fprintln(w)
	}
	return nil
}

// editDraft replaces a draft's body with the text of file, or with what
// the person writes in their editor, keeping its Message-ID.
func (a *app) editDraft(ctx context.Context, arg, file string) error {
	id, err := parseID(arg)
	if err != nil {
		return err
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	it, err := outboxEntry(ctx, st, id)
	if err != nil {
		return err
	}
	if it.State != lifecycle.OutboxDraft {
		return notDraft(it, "edited")
	}
	l, err := outboxLetter(it)
	if err != nil {
		return err
	}
	var text string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		text = string(b)
	} else if text, err = editText(l.Body); err != nil {
		return err
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("the new text is empty: draft %d is unchanged", id)
	}
	if text == l.Body {
		fmt.Fprintf(a.stdout, "Draft %d is unchanged.\n", id)
		return nil
	}
	l.Body = text
	m, js, err := campaign.StoreLetter(st, l)
	if err != nil {
		return err
	}
	if err := st.EditDraft(ctx, id, js, m, a.now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			if now, err2 := st.OutboxItem(ctx, id); err2 == nil {
				return notDraft(now, "edited")
			}
		}
		return err
	}
	next := fmt.Sprintf("send it with `foi approve %d`", id)
	if it.Step == lifecycle.StepComplaint {
		next = fmt.Sprintf("foi never sends a complaint: `foi ico-pack %s --out FILE.zip` builds the pack with it", it.Ref)
	}
	fmt.Fprintf(a.stdout, "Draft %d for %s edited (the same Message-ID): read it with `foi drafts show %d`; %s.\n", id, it.Ref, id, next)
	for _, h := range templates.Placeholders(text) {
		fmt.Fprintf(a.stdout, "It still has a placeholder to fill in, on line %d: %s\n", h.Line, h.Text)
	}
	return nil
}

// outboxEntry reads a letter of the outbox by the number `foi drafts` shows.
func outboxEntry(ctx context.Context, st *store.Store, id int64) (store.OutboxItem, error) {
	it, err := st.OutboxItem(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return it, fmt.Errorf("no letter %d; `foi drafts` lists the drafts waiting", id)
	}
	return it, err
}

// notDraft is the error for a letter that is no longer a draft.
func notDraft(it store.OutboxItem, done string) error {
	return fmt.Errorf("letter %d (%s for %s) is no longer a draft, so it cannot be %s. %s", it.ID, stepName(it), it.Ref, done, outboxStanding(it))
}

// stepName is what a letter of the outbox is: its step, or for a letter
// written by hand its kind.
func stepName(it store.OutboxItem) string {
	if it.Step != lifecycle.StepManual {
		return string(it.Step)
	}
	return string(it.Kind)
}

// outboxStanding says in words where a letter of the outbox stands and
// what can be done with it.
func outboxStanding(it store.OutboxItem) string {
	at := func(t time.Time) string { return t.In(londonLoc()).Format("2006-01-02 15:04") }
	switch it.State {
	case lifecycle.OutboxDraft:
		if it.Step == lifecycle.StepComplaint {
			return fmt.Sprintf("It is the complaint to the Commissioner: foi never sends it; build the pack with `foi ico-pack %s --out FILE.zip` and file it yourself.", it.Ref)
		}
		return fmt.Sprintf("It waits for your approval: `foi approve %d` sends it, `foi drafts edit %d` changes it, `foi discard %d` drops it.", it.ID, it.ID, it.ID)
	case lifecycle.OutboxPending:
		return fmt.Sprintf("It was approved and goes at %s.", at(it.NextAttemptAt))
	case lifecycle.OutboxTempFailed:
		return fmt.Sprintf("It was approved; sending failed for now (%s) and is tried again at %s.", it.LastError, at(it.NextAttemptAt))
	case lifecycle.OutboxSending:
		return "It is being sent."
	case lifecycle.OutboxSent:
		return fmt.Sprintf("It was sent at %s.", at(it.SentAt))
	case lifecycle.OutboxFailed:
		return fmt.Sprintf("The mail server refused it (%s); it will not be sent again.", it.LastError)
	case lifecycle.OutboxCancelled:
		return "It was discarded, or was no longer due, and will not be sent."
	case lifecycle.OutboxInDoubt:
		return fmt.Sprintf("It is in doubt: sending was interrupted and it may have been delivered. Check with the authority or your Sent folder, then `foi resend %s` or `foi mark-sent %s`.", it.Ref, it.Ref)
	}
	return fmt.Sprintf("It is %s.", it.State)
}

// placeholderNames lists the marks of the placeholders ("GROUNDS").
func placeholderNames(holes []templates.Placeholder) string {
	var names []string
	for _, h := range holes {
		names = append(names, h.Mark)
	}
	return strings.Join(names, ", ")
}

// outboxLetter reads the letter stored with an outbox entry.
func outboxLetter(it store.OutboxItem) (mailer.Letter, error) { return mailer.StoredLetter(it) }

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil {
		return 0, usagef("%q is not a draft number (see foi drafts)", s)
	}
	return id, nil
}

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
	it, err := outboxEntry(ctx, st, id)
	if err != nil {
		return err
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	next, err := sch.Approve(ctx, id, *grounds, a.now())
	var hole *schedule.PlaceholderError
	switch {
	case errors.Is(err, schedule.ErrNotDraft):
		if now, err2 := st.OutboxItem(ctx, id); err2 == nil {
			it = now
		}
		return notDraft(it, "approved")
	case errors.Is(err, schedule.ErrNoGroundsLine):
		return fmt.Errorf("draft %d has no grounds placeholder to replace (change its text with `foi drafts edit %d`)", id, id)
	case errors.As(err, &hole):
		how := fmt.Sprintf("write it with `foi drafts edit %d`", id)
		if hole.Grounds {
			how = "approve it with --grounds \"why the refusal is wrong\", or " + how
		}
		return fmt.Errorf("draft %d still has a placeholder to fill in, on line %d (%s): %s", id, hole.Placeholder.Line, hole.Placeholder.Text, how)
	case errors.Is(err, schedule.ErrComplaintNotSent):
		return fmt.Errorf("draft %d is a complaint to the Commissioner: foi never sends it; build the pack with `foi ico-pack %s --out FILE.zip` and file it yourself", id, it.Ref)
	case err != nil:
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
	it, err := outboxEntry(ctx, st, id)
	if err != nil {
		return err
	}
	if it.State != lifecycle.OutboxDraft {
		return notDraft(it, "discarded")
	}
	if err := st.Discard(ctx, id, a.now()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Draft %d discarded.\n", id)
	return nil
}

// cmdReply composes a follow-up from a template and queues it (or keeps it
// as a draft); --edit opens it in an editor first.
func (a *app) cmdReply(ctx context.Context, args []string) error {
	fs := a.flags("reply")
	name := fs.String("template", "", "letter template: clarification, first_chaser, ... (foi help reply lists them)")
	edit := fs.Bool("edit", false, "edit the letter before it is queued (in $VISUAL, $EDITOR, or nano)")
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
		l.Body = templates.FillPlaceholders(l.Body, *fill)
	}
	if *edit {
		if l.Body, err = editText(l.Body); err != nil {
			return err
		}
	}
	q, err := sch.QueueReply(ctx, f, *name, l, *draft, a.now())
	var hole *schedule.PlaceholderError
	if errors.As(err, &hole) {
		return fmt.Errorf("the letter still has a placeholder to fill in: use --edit (or --draft to finish it later)")
	}
	if err != nil {
		return err
	}
	id := q.ID
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

// editText lets the person change text in their editor (foi reply --edit,
// foi drafts edit): $VISUAL, $EDITOR or nano (chooseEditor).
func editText(text string) (string, error) {
	ed, err := editor()
	if err != nil {
		return "", err
	}
	return editWith(ed, text)
}

// editWith opens text in the editor command on the terminal, and returns
// what the person saved.
func editWith(editor, text string) (string, error) {
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
