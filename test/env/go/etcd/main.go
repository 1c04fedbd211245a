// Command etcd is the upstream etcd server, built from the pinned
// go.etcd.io/etcd/server/v3 module (Debian's 3.4 is too old for Kubernetes 1.31+).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
