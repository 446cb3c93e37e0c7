package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestReissueOnlyABouncedRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t, t.TempDir())
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, _, err := st.UpsertAuthorities(ctx, []Authority{{Name: "Alpha NHS Trust", Email: "foi@alpha.test", Jurisdiction: "foia"}}, now); err != nil {
		t.Fatal(err)
	}
	list, _ := st.Authorities(ctx)
	if _, err := st.CreateCampaign(ctx, Campaign{Slug: "LXP7", Title: "T", Letter: "L", RequesterName: "R", RequesterEmail: "r@foi.test"},
		[]NewRequest{{AuthorityID: list[0].ID, Seq: 1, Ref: "LXP7-001", ToAddress: "foi@alpha.test", MessageID: "a@foi.test"}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reissue(ctx, "LXP7-001", "foi@beta.test", "b@foi.test", now); !errors.Is(err, ErrNotBounced) {
		t.Errorf("Reissue of a draft = %v, want ErrNotBounced", err)
	}
	if err := st.SetState(ctx, "LXP7-001", "delivery_failed", "foi", "bounced", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reissue(ctx, "LXP7-001", "not an address", "b@foi.test", now); err == nil {
		t.Errorf("Reissue to a bad address = nil, want a refusal")
	}
	r, err := st.Reissue(WithActor(ctx, "Asha"), "lxp7-001", "foi@beta.test", "b@foi.test", now)
	if err != nil || r.ToAddress != "foi@beta.test" || r.MessageID != "b@foi.test" || r.State != "draft" {
		t.Fatalf("Reissue = %+v, %v", r, err)
	}
	ev, _ := st.Events(ctx, r.ID)
	if last := ev[len(ev)-1]; last.Actor != "Asha" || last.To != "draft" {
		t.Errorf("last event %+v, want Asha's state change to draft", last)
	}
}
