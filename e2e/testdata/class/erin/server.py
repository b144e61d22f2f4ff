# A memory hog: takes memory until the kernel says no.
hog = []
while True:
    hog.append(bytearray(16 * 1024 * 1024))
