package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"foi/store"
)

// authoritiesRemove is `foi authorities remove|archive NAME`: remove one
// imported by mistake (nothing sent to it), or archive one that has letters.
func (a *app) authoritiesRemove(ctx context.Context, pos []string) error {
	verb := pos[0]
	if len(pos) != 2 {
		return usagef("authorities %s NAME (the name or short name; quote it: \"Ashford Trust\")", verb)
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	name := pos[1]
	if verb == "archive" {
		if err := st.ArchiveAuthority(ctx, name, a.now()); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Archived %s: it is kept, with its letters, but left out of new campaigns and of `foi authorities list`.\n", name)
		return nil
	}
	refs, err := st.RemoveAuthority(ctx, name, a.now())
	var sent *store.HasSentError
	if errors.As(err, &sent) {
		return fmt.Errorf("%s cannot be removed: %s %s letters or replies. Archive it instead: `foi authorities archive %q` keeps them and leaves it out of new campaigns",
			name, strings.Join(sent.Refs, ", "), hasOrHave(len(sent.Refs)), name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Removed %s", name)
	if len(refs) > 0 {
		fmt.Fprintf(a.stdout, " and its unsent %s %s", plural(len(refs), "request"), strings.Join(refs, ", "))
	}
	fmt.Fprintln(a.stdout, ".")
	return nil
}

// campaignRemove is `foi campaign remove|archive SLUG`.
func (a *app) campaignRemove(ctx context.Context, st *store.Store, pos []string) error {
	verb := pos[0]
	if len(pos) != 2 {
		return usagef("campaign %s SLUG", verb)
	}
	slug := strings.ToUpper(pos[1])
	if verb == "archive" {
		n, err := st.ArchiveCampaign(ctx, slug, a.now())
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Archived %s: everything is kept (`foi status %s` and `foi show REF` still show it), but it is left out of `foi status`, the board and the schedule: nothing more is chased", slug, slug)
		if n > 0 {
			fmt.Fprintf(a.stdout, ", and its %s waiting to go will not", count(n, "letter", "letters"))
		}
		fmt.Fprintln(a.stdout, ".")
		return nil
	}
	refs, err := st.RemoveCampaign(ctx, slug, a.now())
	var sent *store.HasSentError
	if errors.As(err, &sent) {
		return fmt.Errorf("campaign %s cannot be removed: %s %s letters or replies. Archive it instead: `foi campaign archive %s` keeps everything and stops its schedule",
			slug, listShort(sent.Refs), hasOrHave(len(sent.Refs)), slug)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Removed campaign %s and its %s (none had been sent).\n", slug, plural(len(refs), "request"))
	return nil
}

func hasOrHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// listShort names up to three references and counts the rest.
func listShort(refs []string) string {
	if len(refs) <= 3 {
		return strings.Join(refs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(refs[:3], ", "), len(refs)-3)
}

// noteArchivedAuthorities adds a line naming the archived authorities to a
// list of the live ones.
func (a *app) noteArchivedAuthorities(ctx context.Context, st *store.Store) {
	list, err := st.ArchivedAuthorities(ctx)
	if err != nil || len(list) == 0 {
		return
	}
	names := make([]string, len(list))
	for i, au := range list {
		names[i] = au.Name
	}
	fmt.Fprintf(a.stdout, "Archived (left out of new campaigns): %s.\n", strings.Join(names, "; "))
}

// noteArchivedCampaigns adds a line naming the archived campaigns.
func (a *app) noteArchivedCampaigns(ctx context.Context, st *store.Store) {
	list, err := st.ArchivedCampaigns(ctx)
	if err != nil || len(list) == 0 {
		return
	}
	fmt.Fprintf(a.stdout, "Archived (`foi status SLUG` still shows them): %s.\n", strings.Join(list, ", "))
}
