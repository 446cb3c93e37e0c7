package main

import (
	"context"
	"encoding/json"
	"fmt"
	"foi/calendar"
	"foi/campaign"
	"foi/lifecycle"
	"foi/mailer"
	"foi/store"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"
)

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
	if it.Step == lifecycle.StepComplaint {
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
	kind := lifecycle.Kind(*name)
	if strings.Contains(*name, "review") {
		kind = lifecycle.KindReview
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
