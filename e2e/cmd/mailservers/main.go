// Command mailservers runs the e2e harness's Dovecot and Postfix until
// interrupted, for poking at them by hand (openssl s_client, swaks, a mail
// client, foi itself). Run as root: go run ./e2e/cmd/mailservers
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"foi/e2e"
)

func main() {
	keep := flag.Bool("keep", false, "keep the run directory after exit")
	dur := flag.Duration("for", 0, "stop after this long (default: until SIGINT/SIGTERM)")
	flag.Parse()

	s, err := e2e.StartServers(e2e.Options{KeepDir: *keep})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer s.Stop()

	fmt.Printf("run directory: %s\nlogs:          %s\n", s.Dir, s.LogDir)
	fmt.Printf("IMAP STARTTLS: %s\nIMAPS:         %s\n", s.IMAPAddr, s.IMAPSAddr)
	fmt.Printf("submission:    %s (STARTTLS)\nsubmissions:   %s (TLS)\nplain SMTP:    %s\n",
		s.SubmissionAddr, s.SubmissionsAddr, s.SMTPAddr)
	fmt.Printf("CA:            %s\nSSL_CERT_FILE=%s\n", s.CAFile, s.CABundleFile)
	for _, u := range s.Users {
		fmt.Printf("user:          %s / %s\n", u.Address, u.Password)
	}
	fmt.Printf("domains:       %s (unknown-user address: %s)\n", strings.Join(s.Domains, " "), e2e.UnknownRecipient)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	var timeout <-chan time.Time
	if *dur > 0 {
		timeout = time.After(*dur)
	}
	select {
	case <-sig:
	case <-timeout:
	}
}
