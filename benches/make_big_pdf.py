#!/usr/bin/env python3
"""Writes a valid one-page PDF of about SIZE_MB megabytes (random image data), for the big-file
benchmark. Usage: make_big_pdf.py OUT.pdf [SIZE_MB]"""
import os
import sys

out = sys.argv[1]
size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
chunk = 8 * 1024 * 1024
n_images = max(1, size_mb * 1024 * 1024 // chunk)
side = 2048  # 2048 x 1024 RGB = 6 MiB... we use a gray image of chunk bytes instead
width, height = 4096, chunk // 4096

offsets = {}
buf = open(out, "wb")


def obj(num, body, stream=None):
    offsets[num] = buf.tell()
    buf.write(f"{num} 0 obj\n".encode())
    buf.write(body)
    if stream is not None:
        buf.write(b"\nstream\n")
        buf.write(stream)
        buf.write(b"\nendstream")
    buf.write(b"\nendobj\n")


buf.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
xobjects = b" ".join(f"/Im{i} {5 + i} 0 R".encode() for i in range(n_images))
obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << " + xobjects + b" >> >> >>")
content = b"".join(f"q 50 0 0 25 {40 + (i % 10) * 52} {40 + (i // 10) * 30} cm /Im{i} Do Q\n".encode() for i in range(n_images))
obj(4, f"<< /Length {len(content)} >>".encode(), content)
for i in range(n_images):
    data = os.urandom(width * height)
    obj(5 + i, f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(data)} >>".encode(), data)
size = 5 + n_images
xref = buf.tell()
buf.write(f"xref\n0 {size}\n".encode())
buf.write(b"0000000000 65535 f\r\n")
for num in range(1, size):
    buf.write(f"{offsets[num]:010} 00000 n\r\n".encode())
buf.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
buf.close()
