// socketlab's own go.mod, as a server.go saved at the top of the lab's
// repository finds it beside itself (just my-server server.go).
module github.com/socketlab/socketlab

go 1.26.0

require github.com/stretchr/testify v1.12.1
