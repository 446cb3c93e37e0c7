package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// systemCABundles are the usual places of the system's CA bundle. The first
// readable one of $SSL_CERT_FILE (as the process started) and these is
// copied into the CA bundle file, followed by the test CA.
var systemCABundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
}

// testPKI is the throw-away PKI of one harness run.
type testPKI struct {
	caFile     string // PEM: the test CA certificate only
	bundleFile string // PEM: system roots followed by the test CA
	chainFile  string // PEM: server certificate followed by the CA
	keyFile    string // PEM: server private key (PKCS#8), mode 0600
	pool       *x509.CertPool
}

// pemPKI is the PEM encoded PKI shared by every instance in this process.
type pemPKI struct {
	ca, cert, key []byte
	caCert        *x509.Certificate
}

var (
	pkiOnce sync.Once
	pkiMem  *pemPKI
	pkiErr  error
)

// extraDNSNames are additional names on the server certificate.
var extraDNSNames = []string{"mx.foi.test", "imap.foi.test", "smtp.foi.test"}

// processPKI returns the CA and server certificate of this process. They are
// generated once per process, not per instance: Go reads SSL_CERT_FILE only
// once per process, so every instance must be trusted by the same CA.
func processPKI() (*pemPKI, error) {
	pkiOnce.Do(func() { pkiMem, pkiErr = generatePKI(extraDNSNames) })
	return pkiMem, pkiErr
}

// makePKI writes the process's CA and server certificate (for localhost,
// 127.0.0.1 and ::1) into dir.
func makePKI(dir string) (*testPKI, error) {
	m, err := processPKI()
	if err != nil {
		return nil, err
	}
	return m.write(dir)
}

// generatePKI makes a self-signed CA and a server certificate signed by it.
func generatePKI(extraDNS []string) (*pemPKI, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "foi e2e test CA", Organization: []string{"foi e2e harness"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"foi e2e harness"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     append([]string{"localhost"}, extraDNS...),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return nil, err
	}

	return &pemPKI{
		ca:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		cert:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		key:    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		caCert: caCert,
	}, nil
}

func (m *pemPKI) write(dir string) (*testPKI, error) {
	caPEM, srvPEM, keyPEM := m.ca, m.cert, m.key
	p := &testPKI{
		caFile:     filepath.Join(dir, "ca.pem"),
		bundleFile: filepath.Join(dir, "ca-bundle.pem"),
		chainFile:  filepath.Join(dir, "server-chain.pem"),
		keyFile:    filepath.Join(dir, "server-key.pem"),
		pool:       x509.NewCertPool(),
	}
	p.pool.AddCert(m.caCert)

	var bundle []byte
	sources := systemCABundles
	if origSSLCertFileSet && origSSLCertFile != "" {
		sources = append([]string{origSSLCertFile}, sources...)
	}
	for _, f := range sources {
		if b, err := os.ReadFile(f); err == nil {
			bundle = append(b, '\n')
			break
		}
	}
	bundle = append(bundle, caPEM...)

	for _, w := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{p.caFile, caPEM, 0o644},
		{p.bundleFile, bundle, 0o644},
		{p.chainFile, append(append([]byte{}, srvPEM...), caPEM...), 0o644},
		{p.keyFile, keyPEM, 0o600},
	} {
		if err := os.WriteFile(w.name, w.data, w.mode); err != nil {
			return nil, err
		}
	}
	return p, nil
}
