package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Check reports what stops a valid configuration from working on this
// machine, every problem at once, each with what to do: values still as
// the example file has them (the lines it marks CHANGE ME), password
// variables that are not set, password, token and certificate files that
// do not exist, and a data folder that is not there. It reads the
// environment and the file system but opens no connection. example is
// config.example.yaml, whose CHANGE ME marks are the list of values to
// replace. The result is nil when there is nothing to report.
func (c *Config) Check(example []byte) Problems {
	var p Problems
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	marks, err := placeholders(example)
	if err != nil {
		add("config.example.yaml: %v", err)
	}
	var mine yaml.Node
	if err := mine.Encode(c); err != nil {
		add("config: %v", err)
	}
	for _, m := range marks {
		if v, ok := lookupScalar(&mine, m.key); ok && v == m.value {
			add("%s: still the example's %q (marked CHANGE ME): %s", m.key, m.value, changeAdvice(m.key))
		}
	}

	c.SMTP.Server.check("smtp", c.Dir, add)
	c.IMAP.Server.check("imap", c.Dir, add)

	if d := c.DataDir(); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			add("storage.data_dir: the folder %s does not exist: run `foi init` next to foi.yaml to make it, or correct the path", d)
		}
	}
	if d := c.TemplatesDir(); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			add("storage.templates: the folder %s does not exist: make it and put your letters in it, or set templates: \"\" to use the built-in letters", d)
		}
	}
	cert, key := c.WebTLS()
	for _, f := range []struct{ key, path string }{{"web.tls_cert", cert}, {"web.tls_key", key}} {
		if f.path != "" {
			if _, err := os.Stat(f.path); err != nil {
				add("%s: %s does not exist: give the PEM file's path (relative to foi.yaml), or leave both tls_cert and tls_key empty", f.key, f.path)
			}
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// check is Check for one server's login and certificate settings.
func (s *Server) check(section, dir string, add func(string, ...any)) {
	switch s.Auth {
	case "plain", "login":
		switch {
		case s.PasswordEnv != "":
			v, ok := os.LookupEnv(s.PasswordEnv)
			if !ok {
				add("%s.password_env: the environment variable %s is not set: run `export %s='the password'` in the shell that runs foi (a service: its EnvironmentFile), or put the password alone in a file and name it in password_file", section, s.PasswordEnv, s.PasswordEnv)
			} else if v == "" {
				add("%s.password_env: the environment variable %s is empty: set it to the mailbox's password", section, s.PasswordEnv)
			}
		case s.PasswordFile != "":
			checkSecretFile(section+".password_file", resolve(dir, s.PasswordFile), "the password", add)
		}
	case "xoauth2":
		if s.TokenFile != "" {
			checkSecretFile(section+".token_file", resolve(dir, s.TokenFile), "the access token", add)
		}
	}
	if s.CAFile != "" {
		path := resolve(dir, s.CAFile)
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			add("%s.ca_file: %s does not exist: give the PEM file of the authority that signed %s's certificate (relative to foi.yaml), or set ca_file: \"\" to trust the system's authorities", section, path, s.Host)
		case err != nil:
			add("%s.ca_file: %v", section, err)
		case !x509.NewCertPool().AppendCertsFromPEM(b):
			add("%s.ca_file: %s holds no PEM certificate (a file that starts -----BEGIN CERTIFICATE-----)", section, path)
		}
	}
}

func checkSecretFile(key, path, what string, add func(string, ...any)) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		add("%s: %s does not exist: create it holding only %s (and `chmod 600 %s`)", key, path, what, path)
	case err != nil:
		add("%s: %v", key, err)
	case strings.TrimRight(string(b), "\r\n") == "":
		add("%s: %s is empty: write %s in it", key, path, what)
	}
}

// changeAdvice says what a CHANGE ME value should become.
func changeAdvice(key string) string {
	switch key {
	case "requester.name":
		return "write the applicant's real name or your group's name: it signs every letter, and a request must state it (FOIA s.8(1)(b))"
	case "requester.email":
		return "write the campaign mailbox's address: letters go from it and replies come to it"
	case "smtp.host":
		return "write your provider's outgoing (SMTP) server, e.g. smtp.gmail.com or smtp.office365.com"
	case "imap.host":
		return "write your provider's IMAP server, e.g. imap.gmail.com or outlook.office365.com"
	case "smtp.username", "imap.username":
		return "write the mailbox's login, usually its address"
	}
	return "replace it with your own value"
}

// mark is a value the example file marks CHANGE ME.
type mark struct{ key, value string }

// placeholders lists the example's CHANGE ME values by dotted key.
func placeholders(example []byte) ([]mark, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(example, &root); err != nil {
		return nil, err
	}
	var out []mark
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				key := join(prefix, k.Value)
				if v.Kind == yaml.ScalarNode && strings.Contains(v.LineComment, "CHANGE ME") {
					out = append(out, mark{key, v.Value})
				}
				walk(v, key)
			}
		}
	}
	walk(&root, "")
	return out, nil
}

// lookupScalar finds the scalar at a dotted key in a mapping tree.
func lookupScalar(n *yaml.Node, key string) (string, bool) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, part := range strings.Split(key, ".") {
		if n.Kind != yaml.MappingNode {
			return "", false
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return "", false
		}
		n = next
	}
	return n.Value, n.Kind == yaml.ScalarNode
}
