package campaign

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"foi/lifecycle"
	"foi/store"
)

// Reissue sends a bounced request again to a corrected address: the same
// reference and letter, a new Message-ID, the bounced attempt kept in the
// thread (store.Reissue). The letter is queued to go at notBefore; its id
// is returned.
func Reissue(ctx context.Context, st *store.Store, ref, addr string, env Env, notBefore time.Time, random io.Reader) (int64, error) {
	r, err := st.Request(ctx, ref)
	if err != nil {
		return 0, err
	}
	c, err := st.Campaign(ctx, r.Campaign)
	if err != nil {
		return 0, err
	}
	_, domain, _ := strings.Cut(c.RequesterEmail, "@")
	mid, err := NewMessageID(random, r.Ref, domain)
	if err != nil {
		return 0, err
	}
	if r, err = st.Reissue(ctx, r.Ref, addr, mid, env.Now); err != nil {
		return 0, err
	}
	l, err := FirstLetter(c, r, env)
	if err != nil {
		return 0, fmt.Errorf("letter for %s: %w", r.Ref, err)
	}
	return Enqueue(ctx, st, r, store.Queued{Step: lifecycle.StepLetter, NotBefore: notBefore}, l, env.Now)
}

// Correct is what a person does with a bounced request (the dashboard's
// form, foi resend --to, the demo's volunteer): with others, the corrected
// address first becomes the authority's and that of its other open
// requests (store.ApplyRedirect, under actor's name); then the request goes
// again to it (Reissue). It returns the other requests that now use it.
func Correct(ctx context.Context, st *store.Store, ref, addr string, others bool, actor string, env Env, notBefore time.Time, random io.Reader) ([]string, error) {
	var also []string
	if others {
		done, err := st.ApplyRedirect(ctx, ref, addr, actor, env.Now)
		if err != nil {
			return nil, err
		}
		for _, r := range done.Refs {
			if !strings.EqualFold(r, ref) {
				also = append(also, r)
			}
		}
	}
	if _, err := Reissue(ctx, st, ref, addr, env, notBefore, random); err != nil {
		return also, err
	}
	return also, nil
}
