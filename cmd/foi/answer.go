package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"foi/results"
	"foi/store"
)

const usageAnswer = `answer REF [QUESTION VALUE [--quote T]]
Code a request's answer to one of its campaign's questions: VALUE is yes,
no, not-held, refused, a number, or any other text. --quote says where it
comes from (the words of the reply, or "attachment p. 3"). Who coded what
is kept in the request's history. With REF alone, list the questions and
the answers coded so far. The campaign's questions are set with
foi campaign questions SLUG.

Examples:
  foi answer LXP7-004 2 yes --quote "An EIA was completed in March 2021"
  foi answer LXP7-004 Q4 3
  foi answer LXP7-004 5 -- -2      (a negative number goes after --)
  foi answer LXP7-004`

// cmdAnswer codes an answer, or lists a request's answers.
func (a *app) cmdAnswer(ctx context.Context, args []string) error {
	fs := a.flags("answer")
	quote := fs.String("quote", "", "the words (or attachment page) the answer comes from")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 && len(pos) != 3 {
		return usagef("answer REF [QUESTION VALUE [--quote T]]")
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Request(ctx, pos[0])
	if err != nil {
		return err
	}
	qs, err := st.Questions(ctx, r.Campaign)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		return fmt.Errorf("campaign %s has no questions yet: set them with foi campaign questions %s --file FILE", r.Campaign, r.Campaign)
	}
	if len(pos) == 3 {
		n, err := results.ParseQuestionRef(pos[1])
		if err != nil {
			return usagef("answer: %v", err)
		}
		kind, value, err := results.ParseAnswer(pos[2])
		if err != nil {
			return usagef("answer %s Q%d: %v", r.Ref, n, err)
		}
		err = st.SetAnswer(ctx, store.Answer{Ref: r.Ref, Question: n, Kind: kind, Value: value, Quote: strings.TrimSpace(*quote), CodedAt: a.now()})
		if errors.Is(err, store.ErrNoQuestion) {
			return fmt.Errorf("campaign %s has questions 1 to %d, not %d: see foi answer %s", r.Campaign, len(qs), n, r.Ref)
		}
		if err != nil {
			return err
		}
		if !a.json {
			fmt.Fprintf(a.stdout, "%s Q%d (%s): %s\n", r.Ref, n, qs[n-1].Text, results.Words(store.Answer{Kind: kind, Value: value}))
			return nil
		}
	}
	all, err := st.Answers(ctx, r.Campaign)
	if err != nil {
		return err
	}
	mine := map[int]store.Answer{}
	for _, an := range all {
		if an.RequestID == r.ID {
			mine[an.Question] = an
		}
	}
	if a.json {
		list := []store.Answer{}
		for _, q := range qs {
			if an, ok := mine[q.Seq]; ok {
				list = append(list, an)
			}
		}
		return a.printJSON(map[string]any{"ref": r.Ref, "questions": qs, "answers": list})
	}
	fmt.Fprintf(a.stdout, "%s: %s\n", r.Ref, r.Authority.Name)
	for _, q := range qs {
		an, ok := mine[q.Seq]
		w := "(not coded)"
		if ok {
			w = results.Words(an)
			if an.Quote != "" {
				w += fmt.Sprintf(" — %q", an.Quote)
			}
			w += fmt.Sprintf(" [%s, %s]", an.Actor, an.CodedAt.In(londonLoc()).Format("2 Jan 2006"))
		}
		fmt.Fprintf(a.stdout, "  Q%d %s\n     %s\n", q.Seq, q.Text, w)
	}
	return nil
}

// campaignQuestions shows a campaign's questions, or sets them from a file
// (one a line): `foi campaign questions SLUG [--file F]`.
func (a *app) campaignQuestions(ctx context.Context, st *store.Store, slug, file string) error {
	c, err := st.Campaign(ctx, strings.ToUpper(slug))
	if err != nil {
		return err
	}
	if file != "" {
		src, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("questions: %w", err)
		}
		list, err := results.ParseQuestions(string(src))
		if err != nil {
			return fmt.Errorf("questions %s: %w; nothing changed", file, err)
		}
		if len(list) == 0 {
			return fmt.Errorf("questions %s: no questions in it (one a line); nothing changed", file)
		}
		if err := st.SetQuestions(ctx, c.Slug, list); err != nil {
			return err
		}
	}
	qs, err := st.Questions(ctx, c.Slug)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(qs)
	}
	a.printQuestions(c.Slug, qs)
	return nil
}

// letterQuestions takes a new campaign's questions from its letter's list
// and shows them for the user to confirm or edit.
func (a *app) letterQuestions(ctx context.Context, st *store.Store, slug, letter string) error {
	list := results.FromLetter(letter)
	if a.json {
		return st.SetQuestions(ctx, slug, list)
	}
	if len(list) == 0 {
		fmt.Fprintf(a.stdout, "The letter has no bulleted or numbered list, so %s has no questions yet: set them with `foi campaign questions %s --file FILE` (one a line).\n", slug, slug)
		return nil
	}
	if err := st.SetQuestions(ctx, slug, list); err != nil {
		return err
	}
	qs, err := st.Questions(ctx, slug)
	if err != nil {
		return err
	}
	a.printQuestions(slug, qs)
	return nil
}

func (a *app) printQuestions(slug string, qs []store.Question) {
	if len(qs) == 0 {
		fmt.Fprintf(a.stdout, "%s has no questions: set them with `foi campaign questions %s --file FILE` (one a line).\n", slug, slug)
		return
	}
	fmt.Fprintf(a.stdout, "Questions of %s (answers are coded per request with `foi answer REF N VALUE`):\n", slug)
	for _, q := range qs {
		fmt.Fprintf(a.stdout, "  %d. %s\n", q.Seq, q.Text)
	}
	fmt.Fprintf(a.stdout, "To change them: `foi campaign questions %s --file FILE`, one question a line.\n", slug)
}
