package mailbox

import (
	"context"
	"testing"
	"time"

	"foi/config"
	"foi/localmail"
)

func testIMAP(t *testing.T, srv *localmail.Server) config.IMAP {
	cfg := config.Default().IMAP
	cfg.Host, cfg.Port, cfg.Security, cfg.Username = "127.0.0.1", srv.IMAPPort(), "starttls", srv.User
	cfg.CAFile = srv.CAFile
	t.Setenv("FOI_TEST_IMAP_PASSWORD", srv.Password)
	cfg.PasswordEnv = "FOI_TEST_IMAP_PASSWORD"
	return cfg
}

func TestSentFolderFindAppendSearch(t *testing.T) {
	srv, err := localmail.Start(localmail.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	s := NewSent(testIMAP(t, srv), Options{})
	defer s.Close()
	raw := []byte("Message-ID: <lxp7-001.abc@foi.test>\r\nSubject: hi\r\nFrom: a@b.test\r\n\r\nhello\r\n")
	if found, err := s.Has(ctx, "lxp7-001.abc@foi.test"); err != nil || found {
		t.Fatalf("Has before append = %v, %v; want false, nil", found, err)
	}
	if err := s.Append(ctx, raw, time.Now()); err != nil {
		t.Fatal(err)
	}
	if found, err := s.Has(ctx, "lxp7-001.abc@foi.test"); err != nil || !found {
		t.Fatalf("Has after append = %v, %v; want true, nil", found, err)
	}
	if found, err := s.Has(ctx, "lxp7-002.abc@foi.test"); err != nil || found {
		t.Fatalf("Has(other id) = %v, %v; want false, nil", found, err)
	}
	if s.conn.sent != "Sent" {
		t.Errorf("Sent folder found = %q, want Sent (by its \\Sent attribute)", s.conn.sent)
	}
}
