package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"foi/config"
	"foi/localmail"
	"foi/store"
)

// The child side of TestSyncKilledInEveryStep: a sync in a process of its
// own that kills itself with SIGKILL at the step it is told.
const (
	killEnvStore  = "FOI_TEST_KILL_STORE"
	killEnvConfig = "FOI_TEST_KILL_CONFIG"
	killEnvAt     = "FOI_TEST_KILL_AT" // stage, batch (1-based), delay in µs (0: at once)
)

func TestMain(m *testing.M) {
	if os.Getenv(killEnvStore) != "" {
		os.Exit(killChild())
	}
	os.Exit(m.Run())
}

func killChild() int {
	ctx := context.Background()
	var cfg config.IMAP
	if err := json.Unmarshal([]byte(os.Getenv(killEnvConfig)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	st, err := store.Open(ctx, os.Getenv(killEnvStore))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	defer st.Close()
	var stage string
	var batch, delay int
	fmt.Sscanf(os.Getenv(killEnvAt), "%s %d %d", &stage, &batch, &delay)
	seen := 0
	kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	w := &Watcher{Cfg: cfg, Store: st, Proc: &Processor{Store: st}, BatchSize: 3, Stage: func(s string) {
		if s != stage {
			return
		}
		seen++
		if seen != batch {
			return
		}
		if delay == 0 {
			kill()
			select {}
		}
		// While the command is on the wire.
		time.AfterFunc(time.Duration(delay)*time.Microsecond, kill)
	}}
	if _, err := w.Sync(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestSyncKilledInEveryStep kills a sync process with SIGKILL in every step
// of a batch, run after run, with new replies arriving between the runs:
// while a batch is fetched and parsed, right after its commit (before the
// STORE), while the STORE of the filed flag is on the wire, between the
// STORE and the MOVE, while the MOVE is on the wire, and before the last UID
// is recorded. processed_folder is set, so the mailbox shows the outcome
// too. After a last sync without a kill, every reply is stored exactly once
// and is in the processed folder exactly once, and none is left in INBOX.
func TestSyncKilledInEveryStep(t *testing.T) {
	w := newWorld(t, localmail.Options{})
	if err := w.srv.CreateFolder("Processed"); err != nil {
		t.Fatal(err)
	}
	w.cfg.ProcessedFolder = "Processed"
	cfgJSON, err := json.Marshal(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.st.Close() // the children open it
	dir := w.st.Dir()
	stages := []struct {
		stage string
		delay int // µs after the stage; >0: while the next command is on the wire
	}{
		{"fetched", 0}, {"committed", 0}, {"storing", 200}, {"storing", 1000}, {"stored", 0},
		{"stored", 300}, {"moved", 0}, {"advanced", 0},
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	total, killed := 0, map[string]int{}
	const runs = 24
	for run := 0; run < runs; run++ {
		for i := 0; i < 7; i++ { // three batches of at most 3
			w.deliver(w.reply(rng.IntN(len(w.reqs)), fmt.Sprintf("kill-%d-%d", run, i)))
			total++
		}
		s := stages[run%len(stages)]
		batch := 1 + rng.IntN(3)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), killEnvStore+"="+dir, killEnvConfig+"="+string(cfgJSON),
			fmt.Sprintf("%s=%s %d %d", killEnvAt, s.stage, batch, s.delay))
		out, err := cmd.CombinedOutput()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		switch {
		case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
			killed[fmt.Sprintf("%s+%dus", s.stage, s.delay)]++
		case err != nil:
			t.Fatalf("run %d: sync failed: %v\n%s", run, err, out)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killEnvStore+"="+dir, killEnvConfig+"="+string(cfgJSON), killEnvAt+"=none 0 0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final sync: %v\n%s", err, out)
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n, distinct int
	if err := st.DB().QueryRow(`SELECT count(*), count(DISTINCT message_id) FROM messages WHERE direction = 'in'`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != total || distinct != total {
		t.Errorf("%d replies delivered; stored %d rows for %d distinct Message-IDs, want exactly %d", total, n, distinct, total)
	}
	inbox, _ := w.srv.Count("INBOX")
	processed, _ := w.srv.Count("Processed")
	if inbox != 0 || processed != total {
		t.Errorf("mailbox after the last sync: %d in INBOX, %d in Processed; want 0 and %d", inbox, processed, total)
	}
	kills := 0
	for _, k := range killed {
		kills += k
	}
	if kills < runs*3/4 {
		t.Errorf("only %d of %d runs were killed (%v): the kill points are not reached", kills, runs, killed)
	}
	t.Logf("%d runs, %d killed by SIGKILL (by step: %v); %d replies, each stored once and moved once", runs, kills, killed, total)
}
