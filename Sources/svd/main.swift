print("svd")
