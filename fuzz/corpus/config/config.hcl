Hregion         = "eu-west-1"
instance_class = "db.r6g.large"
multi_az       = true
allowed_cidrs  = ["10.0.0.0/8", "0.0.0.0/0"]

tags = {
  team        = "payments"
  environment = "production"
}
