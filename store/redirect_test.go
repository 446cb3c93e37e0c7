package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"foi/lifecycle"
)

// A redirect is offered from the reply's verdict, planned without a change,
// and applied to the authority's open requests in every campaign; a closed
// request keeps the address it was sent to. The review deadline a reply
// states comes back typed.
func TestRedirectAndStatedReview(t *testing.T) {
	st := open(t, t.TempDir())
	twoRequests(t, st)
	ctx := context.Background()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	all, _ := st.Authorities(ctx)
	var a Authority
	for _, x := range all {
		if x.Email == "a@a.test" {
			a = x
		}
	}
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "C2", Title: "t", Letter: "x", RequesterName: "n", RequesterEmail: "r@r.test"},
		[]NewRequest{{AuthorityID: a.ID, Seq: 1, Ref: "C2-001", ToAddress: a.Email, MessageID: "c2-1@r.test"}}, now); err != nil {
		t.Fatal(err)
	}
	for _, s := range []lifecycle.State{lifecycle.Sent, lifecycle.Successful} {
		if err := st.SetState(ctx, "C2-001", s, "foi", "test", now); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := st.OfferedRedirect(ctx, "C1-001"); err != nil || ok {
		t.Fatalf("OfferedRedirect before any reply = %v, %v; want none", ok, err)
	}
	in := incoming("C1-001", "redir-1@a.test", "This mailbox is no longer monitored.", lifecycle.KindRedirect)
	in.Classification = `{"Kind":"redirect","Evidence":["seen"],"RedirectTo":["new@a.test"]}`
	in.Effect = nil
	if _, _, err := st.SaveIncoming(ctx, in, now); err != nil {
		t.Fatal(err)
	}
	offer, ok, err := st.OfferedRedirect(ctx, "C1-001")
	if err != nil || !ok || offer.Address != "new@a.test" || offer.Kind != lifecycle.KindRedirect {
		t.Fatalf("OfferedRedirect = %+v %v %v, want new@a.test", offer, ok, err)
	}
	plan, err := st.PlanRedirect(ctx, "C1-001", offer.Address)
	if err != nil || !slices.Equal(plan.Refs, []string{"C1-001"}) || plan.From != "a@a.test" {
		t.Fatalf("PlanRedirect = %+v, %v; want C1-001 from a@a.test", plan, err)
	}
	if r, _ := st.Request(ctx, "C1-001"); r.ToAddress != "a@a.test" {
		t.Errorf("PlanRedirect changed the address to %s", r.ToAddress)
	}
	if _, err := st.ApplyRedirect(ctx, "C1-001", "Not An Address", "user", now); err == nil {
		t.Error("ApplyRedirect took a bad address")
	}
	done, err := st.ApplyRedirect(ctx, "C1-001", "new@a.test", "user", now)
	if err != nil || !slices.Equal(done.Refs, []string{"C1-001"}) {
		t.Fatalf("ApplyRedirect = %+v, %v", done, err)
	}
	r1, _ := st.Request(ctx, "C1-001")
	r2, _ := st.Request(ctx, "C2-001")
	rb, _ := st.Request(ctx, "C1-002")
	if r1.ToAddress != "new@a.test" || r1.Authority.Email != "new@a.test" || r2.ToAddress != "a@a.test" || rb.ToAddress != "b@b.test" {
		t.Errorf("after the redirect: C1-001 %s (authority %s), closed C2-001 %s, other authority's C1-002 %s", r1.ToAddress, r1.Authority.Email, r2.ToAddress, rb.ToAddress)
	}
	if r1.State != lifecycle.Sent {
		t.Errorf("a redirect moved C1-001 to %s", r1.State)
	}
	events, _ := st.Events(ctx, r1.ID)
	if !slices.ContainsFunc(events, func(e Event) bool { return e.Kind == lifecycle.EventRedirect && e.Actor == "user" }) {
		t.Errorf("no redirect event among %+v", events)
	}
	if _, ok, _ := st.OfferedRedirect(ctx, "C1-001"); ok {
		t.Error("the redirect is still offered once applied")
	}

	ans := incoming("C1-002", "ans-2@b.test", "Here it is.", lifecycle.KindSubstantive)
	ans.Classification = `{"Kind":"substantive","ReviewWithin":"two months","ReviewCount":2,"ReviewUnit":"months"}`
	if _, _, err := st.SaveIncoming(ctx, ans, now); err != nil {
		t.Fatal(err)
	}
	sr, ok, err := st.StatedReviewDeadline(ctx, rb.ID)
	if err != nil || !ok || sr.Within != "two months" || sr.Count != 2 || sr.Unit != "months" {
		t.Errorf("StatedReviewDeadline = %+v %v %v", sr, ok, err)
	}
	if _, ok, _ := st.StatedReviewDeadline(ctx, r1.ID); ok {
		t.Error("StatedReviewDeadline found one for a request whose replies state none")
	}
}
