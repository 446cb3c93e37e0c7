package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"foi/extract"
	"foi/inbox"
	"foi/store"
)

const usageSearch = `search QUERY [--campaign SLUG]
Find the replies, and the files attached to them, that hold every word of
QUERY (any case, accents ignored). Words quoted together are found together,
in that order; words given apart are found anywhere; a word ending in * finds
the words that start with it. Each
result names the request, the reply (date, sender, subject) or the file, and
shows the words in context. Files whose text could not be read (a scanned
PDF, a damaged file, an image) are listed after the results.

Examples:
  foi search "Equality Impact Assessment"
  foi search "Band 7" fund* --campaign LXP7`

const usageReindex = `reindex [--all]
Read the text of the replies' files again from the data folder and rebuild
the search index. Files are read once, when their reply is filed; this reads
those never read (or read by an older foi), and with --all every file.
Lists the files whose text could not be read.

Example:
  foi reindex`

// cmdSearch runs `foi search`.
func (a *app) cmdSearch(ctx context.Context, args []string) error {
	fs := a.flags("search")
	campaign := fs.String("campaign", "", "search only this campaign's requests (its slug)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef(`search QUERY [--campaign SLUG]: say what to look for, e.g. foi search "Equality Impact Assessment"`)
	}
	// What the shell kept together is a phrase: foi search "Equality
	// Impact Assessment" finds those words in that order, foi search
	// equality assessment finds both words anywhere.
	var terms []string
	for _, p := range pos {
		if strings.ContainsFunc(p, unicode.IsSpace) && !strings.Contains(p, `"`) {
			p = `"` + p + `"`
		}
		terms = append(terms, p)
	}
	query := strings.Join(terms, " ")
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Search(ctx, query, *campaign)
	switch {
	case errors.Is(err, store.ErrEmptyQuery):
		return usagef("search %q: no word to look for (letters or digits)", query)
	case errors.Is(err, store.ErrNotFound) && *campaign != "":
		return fmt.Errorf("search: there is no campaign %q; `foi campaign list` shows them", *campaign)
	case err != nil:
		return err
	}
	if a.json {
		return a.printJSON(res)
	}
	a.printSearch(res)
	return nil
}

func (a *app) printSearch(res store.SearchResults) {
	w := a.stdout
	switch n := len(res.Hits); {
	case n == 0:
		fmt.Fprintf(w, "Nothing found for %s.\n", res.Query)
	case res.More:
		fmt.Fprintf(w, "The first %d results for %s (narrow it with more words or --campaign):\n", n, res.Query)
	default:
		fmt.Fprintf(w, "%s for %s:\n", plural(n, "result"), res.Query)
	}
	last := ""
	for _, h := range res.Hits {
		ref := h.Ref
		if ref == "" {
			ref = "unmatched"
		}
		if ref != last {
			fmt.Fprintf(w, "\n%s  %s\n", ref, h.Authority)
			last = ref
		}
		reply := fmt.Sprintf("reply %d (%s, %s)", h.MessageID, h.Date.In(londonLoc()).Format("2 Jan 2006"), h.From)
		if h.File != "" {
			fmt.Fprintf(w, "  file %s, attached to %s\n", h.File, reply)
		} else {
			fmt.Fprintf(w, "  %s: %s\n", reply, oneLine(h.Subject, 100))
		}
		fmt.Fprintf(w, "    %s\n", store.SnippetText(h.Snippet, "«", "»"))
	}
	printUnread(w, res.Unread)
}

// printUnread lists the files whose text could not be searched: never
// passed over silently. Images (a signature's logo in every reply) are
// named on one line per request.
func printUnread(w io.Writer, unread []store.UnreadFile) {
	if len(unread) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s could not be read (not searched):\n", plural(len(unread), "file"))
	refOf := func(u store.UnreadFile) string {
		if u.Ref == "" {
			return "unmatched"
		}
		return u.Ref
	}
	images := map[string][]string{}
	var order []string
	for _, u := range unread {
		if u.Status == string(extract.StatusUnsupported) && strings.HasPrefix(u.Reason, "an image") {
			ref := refOf(u)
			if images[ref] == nil {
				order = append(order, ref)
			}
			images[ref] = append(images[ref], u.Name)
			continue
		}
		what := extract.Status(u.Status).Describe()
		if u.Status == "not-read" {
			what = "not read yet (run foi reindex)"
		}
		if u.Reason != "" {
			what += " (" + oneLine(u.Reason, 200) + ")"
		}
		fmt.Fprintf(w, "  %-10s %s: %s\n", refOf(u), u.Name, what)
	}
	for _, ref := range order {
		word := "an image"
		if len(images[ref]) > 1 {
			word = "images"
		}
		fmt.Fprintf(w, "  %-10s %s: %s, and foi does no OCR\n", ref, strings.Join(images[ref], ", "), word)
	}
}

// cmdReindex runs `foi reindex`.
func (a *app) cmdReindex(ctx context.Context, args []string) error {
	fs := a.flags("reindex")
	all := fs.Bool("all", false, "read every file again, not only those not read yet")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("reindex [--all] takes no arguments")
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := inbox.Reindex(ctx, st, *all, a.now, a.log)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(rep)
	}
	fmt.Fprintf(a.stdout, "Read %s (%d already read, left as they were); indexed %s.\n",
		plural(rep.Read, "file"), rep.Kept, plural(rep.Messages, "received message"))
	printUnread(a.stdout, rep.Unread)
	return nil
}

// oneLine is s on one line, cut to about n bytes at a rune boundary.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xc0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}
