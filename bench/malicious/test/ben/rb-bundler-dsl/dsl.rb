require 'net/http'

module Bundler
  class Dsl
    def self.evaluate(gemfile)
      builder = new
      builder.instance_eval(File.read(gemfile), gemfile.to_s, 1)
      builder
    end

    def source(url)
      @sources << url
    end

    def fetch_index(url)
      Net::HTTP.get(URI("#{url}/versions"))
    end
  end
end
