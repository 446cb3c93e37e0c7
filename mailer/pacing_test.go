package mailer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"foi/lifecycle"
)

// nhsAndOthers is 50 trusts at nhs.net, queued first, and 5 bodies at
// other domains, queued last.
func nhsAndOthers() []string {
	var to []string
	for i := 1; i <= 50; i++ {
		to = append(to, fmt.Sprintf("trust%02d.foi@nhs.net", i))
	}
	for i := 1; i <= 5; i++ {
		to = append(to, fmt.Sprintf("foi@council%d.gov.test", i))
	}
	return to
}

func countByDomain(got []delivered) (nhs, others int) {
	for _, d := range got {
		if strings.HasSuffix(d.To[0], "@nhs.net") {
			nhs++
		} else {
			others++
		}
	}
	return nhs, others
}

// TestDomainPacingLetsOtherDomainsGo: with smtp.per_domain_rate, the five
// letters to other domains go at once, without waiting behind the fifty to
// nhs.net, which go one per pause.
func TestDomainPacingLetsOtherDomainsGo(t *testing.T) {
	t.Parallel()
	w := newWorldTo(t, nhsAndOthers())
	o := w.outbox(sending, "secret")
	o.DomainRate = 400 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := o.Drain(ctx, "LXP7", 0); err == nil {
		t.Fatal("Drain of 50 letters to one domain paced 400ms apart ended within 1.5s")
	}
	elapsed := time.Since(start)
	nhs, others := countByDomain(w.srv.got())
	if others != 5 {
		t.Errorf("after %s: %d of the 5 letters to other domains sent, want all 5", elapsed.Round(time.Millisecond), others)
	}
	// 1.5s at one per 400ms: the first at once, then at most 3 more.
	if nhs < 1 || nhs > 4 {
		t.Errorf("after %s: %d letters to nhs.net sent, want 1 to 4 (one per 400ms)", elapsed.Round(time.Millisecond), nhs)
	}
}

// TestDomainPacingWithoutWaiting: a run that does not wait (foi tick, foi
// serve) sends one letter to nhs.net and the other domains' letters, and
// puts the rest off until nhs.net is free again; pacing holds across runs.
func TestDomainPacingWithoutWaiting(t *testing.T) {
	t.Parallel()
	w := newWorldTo(t, nhsAndOthers())
	o := w.outbox(sending, "secret")
	o.DomainRate, o.NoWait = time.Hour, true
	sum, err := o.Drain(context.Background(), "LXP7", 0)
	if err != nil {
		t.Fatal(err)
	}
	if nhs, others := countByDomain(w.srv.got()); nhs != 1 || others != 5 || sum.Sent != 6 {
		t.Errorf("one run: sent %d (%d to nhs.net, %d to others), want 6 (1 and 5)", sum.Sent, nhs, others)
	}
	for _, it := range w.items() {
		if it.State == lifecycle.OutboxPending && !it.NextAttemptAt.After(sending.Add(59*time.Minute)) {
			t.Errorf("%s to %s due again at %s, want an hour after the first letter to nhs.net", it.Ref, it.To, it.NextAttemptAt)
		}
	}
	// A second run at once sends nothing to nhs.net: the last letter to it
	// is in the store.
	o2 := w.outbox(sending, "secret")
	o2.DomainRate, o2.NoWait = time.Hour, true
	for _, it := range w.items() {
		if it.State == lifecycle.OutboxPending {
			if err := w.st.Reschedule(context.Background(), it.ID, sending, sending); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sum, err := o2.Drain(context.Background(), "LXP7", 0); err != nil || sum.Sent != 0 {
		t.Errorf("second run within the hour: sent %d, %v; want 0", sum.Sent, err)
	}
}
