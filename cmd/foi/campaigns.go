package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"foi/campaign"
	"foi/lifecycle"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
)

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) cmdAuthorities(ctx context.Context, args []string) error {
	fs := a.flags("authorities")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("authorities: say import FILE.csv, list, remove NAME or archive NAME")
	}
	switch pos[0] {
	case "import":
		if len(pos) != 2 {
			return usagef("authorities import FILE.csv")
		}
		f, err := os.Open(pos[1])
		if err != nil {
			return err
		}
		defer f.Close()
		list, err := campaign.ParseAuthorities(f)
		if err != nil {
			return fmt.Errorf("%s: nothing imported:\n%w", pos[1], err)
		}
		_, st, err := a.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		added, updated, err := st.UpsertAuthorities(ctx, list, a.now())
		if err != nil {
			return fmt.Errorf("%s: nothing imported: %w", pos[1], err)
		}
		if a.json {
			return a.printJSON(map[string]int{"added": added, "updated": updated})
		}
		fmt.Fprintf(a.stdout, "%s: %d added, %d updated\n", pos[1], added, updated)
		return nil
	case "list":
		_, st, err := a.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		list, err := st.Authorities(ctx)
		if err != nil {
			return err
		}
		if a.json {
			if list == nil {
				list = []store.Authority{}
			}
			return a.printJSON(list)
		}
		defer a.noteArchivedAuthorities(ctx, st)
		if len(list) == 0 {
			fmt.Fprintln(a.stdout, "No authorities yet: add them with `foi authorities import FILE.csv`.")
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tEMAIL\tLAW\tTAGS")
		for _, au := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", au.Name, au.Email, au.Jurisdiction, strings.Join(au.Tags, ";"))
		}
		return tw.Flush()
	case "remove", "archive":
		return a.authoritiesRemove(ctx, pos)
	default:
		return usagef("authorities: unknown subcommand %q (import, list, remove, archive)", pos[0])
	}
}

func (a *app) cmdCampaign(ctx context.Context, args []string) error {
	fs := a.flags("campaign")
	title := fs.String("title", "", "campaign title")
	letter := fs.String("letter", "", "letter template file")
	selector := fs.String("authorities", "", "all, tag:X, or names")
	law := fs.String("law", "", "override the law: foia, foisa, eir, eisr")
	sched := fs.String("schedule", "", "step modes for this campaign, e.g. first_chaser=draft,review_on_silence=off")
	qfile := fs.String("file", "", "campaign questions: a file of questions, one a line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("campaign: say new, preview, schedule, questions, list, remove or archive")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch pos[0] {
	case "new":
		if len(pos) != 2 {
			return usagef("campaign new SLUG --title T --letter FILE --authorities SELECTOR")
		}
		if *letter == "" {
			return usagef("campaign new: --letter FILE is required")
		}
		src, err := os.ReadFile(*letter)
		if err != nil {
			return fmt.Errorf("letter: %w", err)
		}
		modes, err := lifecycle.ParseModes(*sched)
		if err != nil {
			return usagef("--schedule: %v", err)
		}
		c, err := campaign.Create(ctx, st, campaign.Spec{
			Slug: pos[1], Title: *title, LetterName: filepath.Base(*letter), Letter: string(src),
			Selector: *selector, Law: *law, Schedule: modes,
		}, campaign.Requester{Name: cfg.Requester.Name, Organisation: cfg.Requester.Organisation, Email: cfg.Requester.Email},
			a.now(), rand.Reader)
		if err != nil {
			return fmt.Errorf("campaign %s not created: %w", strings.ToUpper(pos[1]), err)
		}
		if a.json {
			if err := a.letterQuestions(ctx, st, c.Slug, string(src)); err != nil {
				return err
			}
			return a.printJSON(c)
		}
		refs := fmt.Sprintf("%s-001 to %s-%03d", c.Slug, c.Slug, c.Requests)
		if c.Requests == 1 {
			refs = c.Slug + "-001"
		}
		fmt.Fprintf(a.stdout, "Campaign %s created: %s (%s).\nNext: `foi campaign preview %s`, then `foi send %s`.\n",
			c.Slug, plural(c.Requests, "request"), refs, c.Slug, c.Slug)
		return a.letterQuestions(ctx, st, c.Slug, string(src))
	case "questions":
		if len(pos) != 2 {
			return usagef("campaign questions SLUG [--file FILE]")
		}
		return a.campaignQuestions(ctx, st, pos[1], *qfile)
	case "preview":
		if len(pos) < 2 || len(pos) > 3 {
			return usagef("campaign preview SLUG [REF]")
		}
		c, err := st.Campaign(ctx, strings.ToUpper(pos[1]))
		if err != nil {
			return err
		}
		reqs, err := st.Requests(ctx, c.Slug)
		if err != nil {
			return err
		}
		env, err := letterEnv(ctx, cfg.Requester.PlusAddressing, st, a.now())
		if err != nil {
			return err
		}
		// A letter stored for sending is shown as stored; one not yet
		// stored gets its Date header when it is (issue 14, finding 8).
		items, err := st.Outbox(ctx, c.Slug)
		if err != nil {
			return err
		}
		stored := map[string]bool{}
		for _, it := range items {
			stored[it.Ref] = stored[it.Ref] || it.Step == lifecycle.StepLetter
		}
		shown, fresh := 0, 0
		for _, r := range reqs {
			if len(pos) == 3 && !strings.EqualFold(r.Ref, pos[2]) {
				continue
			}
			raw, err := previewBytes(ctx, st, c, r, env)
			if err != nil {
				return err
			}
			if len(pos) == 2 {
				fmt.Fprintf(a.stdout, "===== %s to %s =====\n", r.Ref, r.Authority.Name)
			}
			a.stdout.Write(raw)
			shown++
			if !stored[r.Ref] {
				fresh++
			}
		}
		if shown == 0 {
			return fmt.Errorf("campaign %s has no request %s", c.Slug, pos[2])
		}
		if fresh > 0 {
			fmt.Fprintln(a.stderr, "foi: the Date header is fixed when a letter is sent (here it is the time of this preview); every other byte is exactly what will be sent.")
		}
		return nil
	case "schedule":
		if len(pos) < 2 {
			return usagef("campaign schedule SLUG [step=mode,...]")
		}
		c, err := st.Campaign(ctx, strings.ToUpper(pos[1]))
		if err != nil {
			return err
		}
		if len(pos) > 2 {
			modes, err := lifecycle.ParseModes(strings.Join(pos[2:], ","))
			if err != nil {
				return usagef("%v", err)
			}
			if c.Schedule == nil {
				c.Schedule = lifecycle.Modes{}
			}
			for k, v := range modes {
				c.Schedule[k] = v
			}
			if err := st.SetSchedule(ctx, c.Slug, c.Schedule); err != nil {
				return err
			}
		}
		pol, err := schedule.PolicyFrom(cfg.Schedule)
		if err != nil {
			return err
		}
		eff := lifecycle.Modes{}
		for _, step := range lifecycle.ScheduledSteps {
			eff[step] = pol.ModeFor(c, step)
		}
		if a.json {
			return a.printJSON(eff)
		}
		for _, step := range lifecycle.ScheduledSteps {
			from := "foi.yaml"
			if c.Schedule[step] != "" {
				from = "this campaign"
			}
			fmt.Fprintf(a.stdout, "%-22s %-6s (%s)\n", step, eff[step], from)
		}
		return nil
	case "list":
		list, err := st.Campaigns(ctx)
		if err != nil {
			return err
		}
		if a.json {
			if list == nil {
				list = []store.Campaign{}
			}
			return a.printJSON(list)
		}
		defer a.noteArchivedCampaigns(ctx, st)
		if len(list) == 0 {
			fmt.Fprintln(a.stdout, "No campaigns yet: create one with `foi campaign new`.")
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tREQUESTS\tSELECTOR\tTITLE")
		for _, c := range list {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", c.Slug, c.Requests, c.Selector, c.Title)
		}
		return tw.Flush()
	case "remove", "archive":
		return a.campaignRemove(ctx, st, pos)
	default:
		return usagef("campaign: unknown subcommand %q (new, preview, schedule, questions, list, remove, archive)", pos[0])
	}
}

// letterEnv gathers what writing letters needs.
func letterEnv(ctx context.Context, plus bool, st *store.Store, now time.Time) (campaign.Env, error) {
	env := campaign.Env{Now: now}
	if plus {
		secret, err := st.Secret(ctx, "plus-address")
		if err != nil {
			return env, err
		}
		env.PlusSecret = secret
	}
	return env, nil
}

// previewBytes is what would be sent for a request: the stored bytes once
// the letter is queued, else the letter as `foi send` would write it now.
func previewBytes(ctx context.Context, st *store.Store, c store.Campaign, r store.Request, env campaign.Env) ([]byte, error) {
	items, err := st.Outbox(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Ref == r.Ref && it.Step == lifecycle.StepLetter {
			return st.ReadMail(it.SHA256)
		}
	}
	l, err := campaign.FirstLetter(c, r, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Ref, err)
	}
	return mailer.Render(l)
}
