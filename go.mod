module github.com/socketlab/socketlab

go 1.26
